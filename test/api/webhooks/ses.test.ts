import { beforeAll, describe, expect, it, vi } from 'vitest';
import { deliveryEvents } from '../../../src/db/schema';
import { testApp } from '../../support/app';
import { confirmed } from '../../support/flow';
import { states, suppressionRows } from '../../support/operator';
import { CERT_URL, snsSigner, TOPIC } from '../../support/webhooks';

let signer: Awaited<ReturnType<typeof snsSigner>>;
beforeAll(async () => {
  signer = await snsSigner();
});

const SUBSCRIBE_URL = 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=tok';

/** An app whose outbound fetch serves our certificate and records every URL asked for. */
async function sesApp() {
  const fetched: string[] = [];
  const fetch = vi.fn(async (input: string | URL | Request) => {
    const url = String(input);
    fetched.push(url);
    if (url === CERT_URL) return new Response(signer.pem);
    if (url === SUBSCRIBE_URL) return new Response('<ConfirmSubscriptionResponse/>');
    return new Response('not found', { status: 404 });
  }) as unknown as typeof globalThis.fetch;
  const t = await testApp({ SES_TOPIC_ARNS: `arn:aws:sns:eu-west-1:1:other, ${TOPIC}` }, { fetch });
  return { ...t, fetched };
}

const ses = (kind: string, recipient: string, at: number, extra: object = {}) => {
  const timestamp = new Date(at).toISOString();
  const bodies: Record<string, object> = {
    Bounce: { bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: recipient }], timestamp } },
    Complaint: { complaint: { complainedRecipients: [{ emailAddress: recipient }], timestamp } },
    Delivery: { delivery: { recipients: [recipient], timestamp } },
  };
  return JSON.stringify({ notificationType: kind, mail: { messageId: 'ses-1', timestamp }, ...bodies[kind], ...extra });
};

function notification(message: string, over: Record<string, string> = {}) {
  return signer.sign({ Type: 'Notification', MessageId: crypto.randomUUID(), TopicArn: TOPIC, Message: message, Timestamp: new Date().toISOString(), ...over });
}

function post(t: { app: { request: (p: string, i: RequestInit) => Response | Promise<Response> } }, msg: object) {
  // SNS posts JSON labelled text/plain.
  return t.app.request('/webhooks/ses', { method: 'POST', headers: { 'content-type': 'text/plain; charset=UTF-8' }, body: JSON.stringify(msg) });
}

describe('POST /webhooks/ses', () => {
  it('answers 503 when SES_TOPIC_ARNS is not set', async () => {
    const t = await testApp();
    expect((await post(t, await notification(ses('Delivery', 'a@example.com', t.clock.now())))).status).toBe(503);
  });

  it('suppresses on a Permanent bounce, fetching the certificate once per process', async () => {
    const t = await sesApp();
    await confirmed(t, 'ann@example.com');
    await confirmed(t, 'bob@example.com');
    expect((await post(t, await notification(ses('Bounce', 'ann@example.com', t.clock.now())))).status).toBe(200);
    expect((await post(t, await notification(ses('Complaint', 'bob@example.com', t.clock.now())))).status).toBe(200);
    expect(await states(t, 'ann@example.com')).toMatchObject([{ state: 'suppressed' }]);
    expect(await states(t, 'bob@example.com')).toMatchObject([{ state: 'suppressed' }]);
    expect((await suppressionRows(t)).map((s) => s.reason).sort()).toEqual(['complaint', 'hard_bounce']);
    expect(t.fetched).toEqual([CERT_URL]);
  });

  it('counts Transient and Undetermined bounces towards the soft-bounce limit without suppressing at once', async () => {
    const t = await sesApp();
    await confirmed(t, 'cy@example.com');
    for (const bounceType of ['Transient', 'Undetermined']) {
      const msg = ses('Bounce', 'cy@example.com', t.clock.now(), {
        bounce: { bounceType, bouncedRecipients: [{ emailAddress: 'cy@example.com' }], timestamp: new Date(t.clock.now()).toISOString() },
      });
      expect((await post(t, await notification(msg))).status).toBe(200);
      t.clock.advance(1000);
    }
    expect(await states(t, 'cy@example.com')).toMatchObject([{ state: 'confirmed' }]);
    expect((await t.deps.db.select().from(deliveryEvents).all()).map((e) => e.type)).toEqual(['soft_bounce', 'soft_bounce']);
  });

  it('records deliveries and applies a repeated MessageId once', async () => {
    const t = await sesApp();
    await confirmed(t, 'dee@example.com');
    const msg = await notification(ses('Delivery', 'dee@example.com', t.clock.now()));
    expect(await (await post(t, msg)).json()).toEqual({ status: 'applied', events: 1 });
    expect(await (await post(t, msg)).json()).toEqual({ status: 'duplicate', events: 0 });
    expect(await t.deps.db.select().from(deliveryEvents).all()).toMatchObject([{ type: 'delivered' }]);
  });

  it('refuses a certificate URL off the SNS hosts without fetching it', async () => {
    const t = await sesApp();
    await confirmed(t, 'eve@example.com');
    const msg = await notification(ses('Complaint', 'eve@example.com', t.clock.now()), { SigningCertURL: 'https://sns.us-east-1.amazonaws.com.evil.example/cert.pem' });
    const res = await post(t, msg);
    expect(res.status).toBe(401);
    expect(t.fetched).toEqual([]);
    expect(await states(t, 'eve@example.com')).toMatchObject([{ state: 'confirmed' }]);
  });

  it('refuses a tampered message with 401', async () => {
    const t = await sesApp();
    await confirmed(t, 'fay@example.com');
    const msg = await notification(ses('Delivery', 'someone@example.com', t.clock.now()));
    const res = await post(t, { ...msg, Message: ses('Complaint', 'fay@example.com', t.clock.now()) });
    expect(res.status).toBe(401);
    expect(await states(t, 'fay@example.com')).toMatchObject([{ state: 'confirmed' }]);
  });

  it('answers 403 to a topic not in SES_TOPIC_ARNS, before fetching anything', async () => {
    const t = await sesApp();
    const msg = await notification(ses('Delivery', 'a@example.com', t.clock.now()), { TopicArn: 'arn:aws:sns:us-east-1:999999999999:theirs' });
    expect((await post(t, msg)).status).toBe(403);
    expect(t.fetched).toEqual([]);
  });

  it('confirms a subscription through its SubscribeURL', async () => {
    const t = await sesApp();
    const msg = await signer.sign({
      Type: 'SubscriptionConfirmation', MessageId: 'c-1', TopicArn: TOPIC, Token: 'tok', SubscribeURL: SUBSCRIBE_URL,
      Message: 'You have chosen to subscribe to the topic', Timestamp: new Date().toISOString(),
    });
    const res = await post(t, msg);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'subscribed' });
    expect(t.fetched).toEqual([CERT_URL, SUBSCRIBE_URL]);
  });

  it('does not follow a SubscribeURL off the SNS hosts', async () => {
    const t = await sesApp();
    const msg = await signer.sign({
      Type: 'SubscriptionConfirmation', MessageId: 'c-2', TopicArn: TOPIC, Token: 'tok', SubscribeURL: 'https://attacker.example/confirm',
      Message: 'subscribe', Timestamp: new Date().toISOString(),
    });
    expect((await post(t, msg)).status).toBe(401);
    expect(t.fetched).not.toContain('https://attacker.example/confirm');
  });

  it('answers 400 to a body that is not an SNS message', async () => {
    const t = await sesApp();
    expect((await t.app.request('/webhooks/ses', { method: 'POST', body: 'hello' })).status).toBe(400);
    expect((await post(t, { Type: 'Notification' })).status).toBe(400);
  });

  it('accepts a notification larger than the form body limit (SES may include the original headers)', async () => {
    const t = await sesApp();
    await confirmed(t, 'gil@example.com');
    const headers = Array.from({ length: 400 }, (_, i) => ({ name: `X-Filler-${i}`, value: 'x'.repeat(80) }));
    const message = ses('Complaint', 'gil@example.com', t.clock.now(), { mail: { messageId: 'ses-2', timestamp: new Date(t.clock.now()).toISOString(), headers } });
    const res = await post(t, await notification(message));
    expect(message.length).toBeGreaterThan(16 * 1024);
    expect(res.status).toBe(200);
    expect(await states(t, 'gil@example.com')).toMatchObject([{ state: 'suppressed' }]);
  });

  it('ignores SES notification kinds it does not act on', async () => {
    const t = await sesApp();
    const res = await post(t, await notification(JSON.stringify({ eventType: 'Open', mail: { messageId: 'x' } })));
    expect(await res.json()).toEqual({ status: 'ignored' });
  });
});

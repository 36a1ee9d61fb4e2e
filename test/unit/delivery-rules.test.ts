import { describe, expect, it } from 'vitest';
import { addressOnRecord as eventAddress } from '../../src/domain/address';
import { classifyEvent } from '../../src/domain/delivery-rules';

describe('classifyEvent', () => {
  it('suppresses at once only on a Permanent bounce or a complaint', () => {
    expect(classifyEvent({ type: 'bounce', bounceType: 'permanent' })).toEqual({ recorded: 'hard_bounce', suppress: 'hard_bounce' });
    expect(classifyEvent({ type: 'bounce', bounceType: 'transient' })).toEqual({ recorded: 'soft_bounce' });
    expect(classifyEvent({ type: 'bounce', bounceType: 'undetermined' })).toEqual({ recorded: 'soft_bounce' });
    expect(classifyEvent({ type: 'complaint' })).toEqual({ recorded: 'complaint', suppress: 'complaint' });
    expect(classifyEvent({ type: 'delivered' })).toEqual({ recorded: 'delivered' });
  });
});

describe('eventAddress', () => {
  it('normalises like a signup: domain lower-cased and punycode, key lower-cased', () => {
    expect(eventAddress(' Ann@Example.COM ')).toEqual({ email: 'Ann@example.com', key: 'ann@example.com' });
    expect(eventAddress('x@bücher.example')).toEqual({ email: 'x@xn--bcher-kva.example', key: 'x@xn--bcher-kva.example' });
  });

  it('keeps a likely typo domain as it is: mail to it really bounced', () => {
    expect(eventAddress('Someone@GMIAL.com')).toEqual({ email: 'Someone@gmial.com', key: 'someone@gmial.com' });
  });

  it('answers undefined for what is not an address', () => {
    for (const text of ['', 'nobody', 'a@b', '@example.com', 'a@@example.com']) expect(eventAddress(text)).toBeUndefined();
  });
});

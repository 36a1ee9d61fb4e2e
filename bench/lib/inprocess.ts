/**
 * In-process microbench: N JSON signups, then N confirms, through testApp() (no HTTP socket),
 * reporting CPU time per request. `npx tsx bench/lib/inprocess.ts [N] [C]`: C at a time (default 1;
 * 50 is what the HTTP benchmark's connections give, and lets group commit group).
 * Run with `node --cpu-prof --import tsx bench/lib/inprocess.ts` to profile the same loop.
 */
import { signup, testApp } from '../../test/support/app';
import { confirmTokenFor } from '../../test/support/mail';

const n = Number(process.argv[2] ?? 3000);
const c = Number(process.argv[3] ?? 1);
/** Runs `one(i)` for i < n, c at a time. */
async function waves(one: (i: number) => Promise<void>) {
  for (let i = 0; i < n; i += c) await Promise.all(Array.from({ length: Math.min(c, n - i) }, (_, j) => one(i + j)));
}
const t = await testApp({
  LOG_LEVEL: 'silent',
  RATE_LIMIT_SIGNUP_BURST: '1000000000',
  RATE_LIMIT_SIGNUP_PER_MINUTE: '1000000000',
  RATE_LIMIT_LIST_PER_MINUTE: '1000000000',
  RATE_LIMIT_ACTION_PER_MINUTE: '1000000000',
});

const cpuMs = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
};

// Warm-up (JIT, statement cache).
for (let i = 0; i < 200; i++) await signup(t, `warm-${i}@example.com`, { ip: `10.9.${i >> 8}.${i & 255}` });

let start = process.cpuUsage();
await waves(async (i) => {
  const res = await signup(t, `run-${i}@example.com`, { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` });
  if (res.status !== 202) throw new Error(`signup ${i}: ${res.status} ${await res.text()}`);
});
const signupMs = cpuMs(start) / n;

while (t.mailer.sent.length < n + 200) if ((await t.deliver()).sent === 0) break;
const tokens: string[] = [];
for (let i = 0; i < n; i++) tokens.push(confirmTokenFor(t.mailer.sent, `run-${i}@example.com`));
start = process.cpuUsage();
await waves(async (i) => {
  const res = await t.app.request(
    '/confirm',
    { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ token: tokens[i] }) },
    { clientIp: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
  );
  if (res.status !== 200) throw new Error(`confirm ${i}: ${res.status} ${await res.text()}`);
});
const confirmMs = cpuMs(start) / n;
console.log(`in-process, N=${n}, ${c} at a time: signup ${signupMs.toFixed(3)} ms CPU/request, confirm ${confirmMs.toFixed(3)} ms CPU/request`);
t.sqlite.close();

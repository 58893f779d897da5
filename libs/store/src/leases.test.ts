import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startRedis, type RedisHandle } from '@switchyard/devstack';
import { createLogger } from '@switchyard/log';
import { connectRedis, quotaKeys } from './index.ts';
import { QuotaLeases, redisLeaseStore, type LeaseStore } from './leases.ts';

/** An in-memory bucket with the Redis script's rule, on a hand-moved clock. */
function memoryStore(clock: { ms: number }) {
  const buckets = new Map<string, { t: number; ts: number }>();
  const level = (spec: { key: string; rate: number; burst: number }) => {
    const b = buckets.get(spec.key);
    return b ? Math.min(spec.burst, b.t + ((clock.ms - b.ts) / 1000) * spec.rate) : spec.burst;
  };
  const calls: Array<{ want: number; need: number }> = [];
  const store: LeaseStore = {
    async lease(spec, want, need) {
      calls.push({ want, need });
      const t = level(spec);
      if (t < need) return { granted: 0, retryAfterMs: Math.ceil(((need - t) / spec.rate) * 1000) };
      const g = Math.max(need, Math.min(want, t));
      buckets.set(spec.key, { t: t - g, ts: clock.ms });
      return { granted: g, retryAfterMs: 0 };
    },
    async giveBack(spec, amount) {
      buckets.set(spec.key, { t: Math.min(spec.burst, level(spec) + amount), ts: clock.ms });
    },
  };
  return { store, level, calls };
}

const flush = () => new Promise((r) => setImmediate(r));

test('a fast tenant leases 50 ms of its rate at once and is admitted without a store call per request', async () => {
  const clock = { ms: 0 };
  const m = memoryStore(clock);
  const q = new QuotaLeases({ store: m.store, now: () => clock.ms });
  const spec = { key: 'k', rate: 2000, burst: 2000, cost: 1 };
  assert.equal(q.leaseSize(spec), 100);
  let allowed = 0;
  for (let i = 0; i < 1000; i++) {
    if ((await q.take(spec, undefined)).allowed) allowed++;
    await flush();
  }
  assert.equal(allowed, 1000);
  assert.ok(q.calls.sync <= 2, `requests waited for the store ${q.calls.sync} times`);
  assert.ok(m.calls.length <= 15, `${m.calls.length} store calls for 1000 requests`);
  // Tokens taken from the bucket = spent + held locally: nothing is lost or double-counted.
  assert.ok(Math.abs(2000 - m.level(spec) - (1000 + q.balance('k'))) < 1e-6);
});

test('the burst bounds what is admitted; a refusal carries the time until the bucket holds a request', async () => {
  const clock = { ms: 0 };
  const m = memoryStore(clock);
  const q = new QuotaLeases({ store: m.store, now: () => clock.ms });
  const spec = { key: 'k', rate: 100, burst: 30, cost: 1 };
  const results = [];
  for (let i = 0; i < 40; i++) { results.push(await q.take(spec, undefined)); await flush(); }
  assert.equal(results.filter((r) => r.allowed).length, 30);
  const refused = results.find((r) => !r.allowed)!;
  assert.equal(refused.refusedBy, 'requests');
  assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 10, `retry after ${refused.retryAfterMs}`);
  clock.ms += 100; // 10 more tokens
  let later = 0;
  for (let i = 0; i < 20; i++) { if ((await q.take(spec, undefined)).allowed) later++; await flush(); }
  assert.equal(later, 10);
});

test('a slow tenant (under two tokens per lease) is accounted per request, exactly, with no prefetch', async () => {
  const clock = { ms: 0 };
  const m = memoryStore(clock);
  const q = new QuotaLeases({ store: m.store, now: () => clock.ms });
  const spec = { key: 'slow', rate: 0.5, burst: 3, cost: 1 };
  const r = [];
  for (let i = 0; i < 4; i++) { r.push((await q.take(spec, undefined)).allowed); await flush(); }
  assert.deepEqual(r, [true, true, true, false]);
  assert.equal(q.calls.background, 0);
  assert.equal(m.calls.length, 4);
  assert.equal(q.balance('slow'), 0);
});

test('when the time bucket refuses, the request token goes back to the local balance', async () => {
  const clock = { ms: 0 };
  const m = memoryStore(clock);
  const q = new QuotaLeases({ store: m.store, now: () => clock.ms });
  const req = { key: 'r', rate: 1000, burst: 1000, cost: 1 };
  const time = { key: 't', rate: 0.001, burst: 1, cost: 0.5 };
  assert.equal((await q.take(req, time)).allowed, true);
  assert.equal((await q.take(req, time)).allowed, true);
  const before = q.balance('r');
  const third = await q.take(req, time);
  assert.deepEqual([third.allowed, third.refusedBy], [false, 'executor-time']);
  assert.ok(third.retryAfterMs > 1000);
  assert.equal(q.balance('r'), before, 'the refused request did not spend a request token');
});

test('unused tokens go back to the bucket after the idle time', async () => {
  const clock = { ms: 0 };
  const m = memoryStore(clock);
  const q = new QuotaLeases({ store: m.store, now: () => clock.ms, idleReturnMs: 100 });
  const spec = { key: 'k', rate: 400, burst: 1000, cost: 1 }; // leases of 20
  for (let i = 0; i < 50; i++) { await q.take(spec, undefined); await flush(); }
  const held = q.balance('k');
  assert.ok(held > 0);
  assert.ok(Math.abs(m.level(spec) - (1000 - 50 - held)) < 1e-6);
  await q.returnIdle();
  assert.equal(q.balance('k'), held, 'not idle yet: kept');
  clock.ms += 100; // refills 40
  await q.returnIdle();
  assert.equal(q.balance('k'), 0);
  assert.ok(Math.abs(m.level(spec) - (1000 - 50 + 40)) < 1e-6, `everything not spent is back (${m.level(spec)})`);
});

test('store unreachable: the local balance still admits; beyond it the error reaches the caller', async () => {
  const clock = { ms: 0 };
  let down = false;
  const m = memoryStore(clock);
  const store: LeaseStore = { lease: (s, w, n) => (down ? Promise.reject(new Error('ECONNREFUSED')) : m.store.lease(s, w, n)), giveBack: m.store.giveBack };
  const errors: Error[] = [];
  const q = new QuotaLeases({ store, now: () => clock.ms, onBackgroundError: (e) => errors.push(e) });
  const spec = { key: 'k', rate: 200, burst: 200, cost: 1 }; // lease 10
  assert.equal((await q.take(spec, undefined)).allowed, true);
  down = true;
  let ok = 0;
  let failed = 0;
  for (let i = 0; i < 20; i++) {
    try { if ((await q.take(spec, undefined)).allowed) ok++; } catch { failed++; }
    await flush();
  }
  assert.ok(ok >= 4 && ok <= 9, `held tokens admitted ${ok}`);
  assert.equal(ok + failed, 20);
  assert.ok(errors.length >= 1, 'background lease failures are reported');
});

// ---- against a real Redis ----

const log = createLogger({ service: 'leases-test', destination: new Writable({ write(_c, _e, cb) { cb(); } }) as never });
let dir: string;
let redis: RedisHandle;
before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sy-leases-'));
  redis = await startRedis({ dataDir: dir });
});
after(async () => {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('Redis: two gateways share one bucket; together they never admit more than it allows', async () => {
  const a = await connectRedis(redis.url, log, 'gw-a');
  const b = await connectRedis(redis.url, log, 'gw-b');
  try {
    const qa = new QuotaLeases({ store: redisLeaseStore(a) });
    const qb = new QuotaLeases({ store: redisLeaseStore(b) });
    // 20 tokens/s, burst 200: within the ~100 ms of this test at most ~2 refill; leases of 1.
    const spec = { ...quotaKeys('shared', 'gpu'), rate: 20, burst: 200 };
    const req = { key: spec.requests, rate: spec.rate, burst: spec.burst, cost: 1 };
    const runs = await Promise.all([qa, qb].map(async (q) => {
      let n = 0;
      for (let i = 0; i < 150; i++) if ((await q.take(req, undefined)).allowed) n++;
      return n;
    }));
    const total = runs[0]! + runs[1]!;
    assert.ok(total >= 200 && total <= 215, `admitted ${total} (a ${runs[0]}, b ${runs[1]})`);
    assert.ok(runs[0]! > 0 && runs[1]! > 0);
    // Fractional GPU-second costs are leased and charged exactly.
    const t = { key: spec.time, rate: 0.001, burst: 1, cost: 0.25 };
    const r = [];
    for (let i = 0; i < 5; i++) r.push((await qa.take(undefined, t)).allowed);
    assert.deepEqual(r, [true, true, true, true, false]);
    // Giving back: the held tokens return to the shared bucket.
    const fast = { key: 'sy:v1:quota:req:giveback', rate: 1000, burst: 1000, cost: 1 };
    const qc = new QuotaLeases({ store: redisLeaseStore(a), idleReturnMs: 0 });
    await qc.take(fast, undefined);
    await new Promise((res) => setTimeout(res, 20));
    await qc.close();
    const left = Number(await a.hget(fast.key, 't'));
    assert.ok(left >= 998.9 && left <= 1000, `after give-back the bucket holds ${left}`);
  } finally {
    a.disconnect();
    b.disconnect();
  }
});

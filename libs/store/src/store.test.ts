import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startRedis, type RedisHandle } from '@switchyard/devstack';
import { createLogger } from '@switchyard/log';
import { closeRedis, connectRedis, defineWindowCounter, redisKey } from './index.ts';

const log = createLogger({ service: 'store-test', destination: new Writable({ write(_c, _e, cb) { cb(); } }) as never });
let dir: string;
let redis: RedisHandle;
before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sy-store-'));
  redis = await startRedis({ dataDir: dir });
});
after(async () => {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('closeRedis: QUIT while connected; with Redis already gone it drops the connection instead of failing', async () => {
  const live = await connectRedis(redis.url, log, 'test');
  const settled = async (c: typeof live) => { for (let i = 0; i < 50 && c.status !== 'end'; i++) await new Promise((r) => setTimeout(r, 20)); return c.status; };
  await closeRedis(live);
  assert.equal(await settled(live), 'end');
  // A Redis of its own, stopped under the client (a service shutting down after Redis went away).
  const own = await startRedis({ dataDir: mkdtempSync(path.join(dir, 'gone-')) });
  const orphan = await connectRedis(own.url, log, 'test');
  let retries = 0;
  orphan.on('reconnecting', () => retries++);
  await own.stop();
  for (let i = 0; i < 100 && retries < 2; i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(retries >= 2, `the client retries while Redis is gone (${retries})`);
  await assert.rejects(orphan.quit(), /writeable|closed/i, 'QUIT fails with the offline queue off');
  await closeRedis(orphan);
  const before = retries;
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(retries, before, 'no retries after closeRedis');
});

test('keys follow sy:v1:<domain>:...', () => {
  assert.equal(redisKey('quota', 'acme', '17'), 'sy:v1:quota:acme:17');
});

test('the window counter counts atomically per tenant and window, with a TTL of one window', async () => {
  const client = await connectRedis(redis.url, log, 'test');
  try {
    const count = defineWindowCounter(client);
    const now = 1_000_000_000_500;
    const results = await Promise.all(Array.from({ length: 50 }, () => count('acme', 1000, now)));
    assert.deepEqual(results.map((r) => r.count).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1));
    assert.equal((await count('other', 1000, now)).count, 1, 'tenants are separate');
    assert.equal((await count('acme', 1000, now + 1000)).count, 1, 'a new window starts at 1');
    const ttl = await client.pttl(redisKey('quota', 'acme', String(Math.floor(now / 1000))));
    assert.ok(ttl > 0 && ttl <= 1000, `ttl ${ttl}`);
  } finally {
    await client.quit();
  }
});

test('token buckets: burst then refusal with retry-after; the executor-time bucket is charged only when both pass', async () => {
  const { defineTokenBuckets, quotaKeys } = await import('./index.ts');
  const client = await connectRedis(redis.url, log, 'test-buckets');
  try {
    const take = defineTokenBuckets(client);
    const k = quotaKeys('bucket-tenant', 'gpu');
    const req = { key: k.requests, rate: 1, burst: 3, cost: 1 };
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await take(req, undefined));
    assert.deepEqual(results.map((r) => r.allowed), [true, true, true, false]);
    assert.equal(results[3]!.refusedBy, 'requests');
    assert.ok(results[3]!.retryAfterMs > 0 && results[3]!.retryAfterMs <= 1000, `retry after ${results[3]!.retryAfterMs}`);
    const ttl = await client.pttl(k.requests);
    assert.ok(ttl > 0 && ttl <= 4000, `bucket key has a TTL (${ttl})`);
    // Executor time: 0.5 s per request out of a 1 s bucket -> two pass, the third is refused
    // and does not consume a request token.
    const k2 = quotaKeys('time-tenant', 'gpu');
    // (The request bucket refills at 0.01/s, so the count below does not depend on how long the
    // three calls take: at 100/s a slow machine refilled half a token between them.)
    const r2 = { key: k2.requests, rate: 0.01, burst: 100, cost: 1 };
    const t2 = { key: k2.time, rate: 0.001, burst: 1, cost: 0.5 };
    assert.equal((await take(r2, t2)).allowed, true);
    const second = await take(r2, t2);
    assert.equal(second.allowed, true);
    const third = await take(r2, t2);
    assert.deepEqual([third.allowed, third.refusedBy], [false, 'executor-time']);
    assert.ok(third.retryAfterMs > 1000, 'refill at 1 ms/s takes long');
    const left = Number(await client.hget(k2.requests, 't'));
    assert.ok(left >= 98 && left < 98.5, `two request tokens charged, not three (${left})`);
    // A cost above the bucket size passes when the bucket is full, leaving it in debt.
    const k3 = quotaKeys('debt-tenant', 'gpu');
    assert.equal((await take(undefined, { key: k3.time, rate: 1, burst: 1, cost: 5 })).allowed, true);
    assert.equal((await take(undefined, { key: k3.time, rate: 1, burst: 1, cost: 5 })).allowed, false);
  } finally {
    client.disconnect();
  }
});

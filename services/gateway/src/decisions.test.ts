import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRedis, type RedisHandle } from '@switchyard/devstack';
import { Redis } from '@switchyard/store';
import { createLogger } from '@switchyard/log';
import { DecisionStore, decisionBucketKey, encodeRecord, recordCodec, type DecisionRecord } from './decisions.ts';
import { buildRecord } from './oip.ts';

const log = createLogger({ service: 'gateway-test', level: 'silent' });
let dir: string;
let redisH: RedisHandle;
let redis: Redis;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sy-decisions-'));
  redisH = await startRedis({ dataDir: dir });
  redis = new Redis(redisH.url);
});
after(async () => {
  redis?.disconnect();
  await redisH?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A minimal record (a request refused before placement). */
function rec(id: string): DecisionRecord {
  return buildRecord({ requestId: id, gatewayId: 'gw-a', model: 'ocr_cls', version: '', tenant: 'demo', ctl: undefined, trace: {}, result: undefined, status: 'INVALID_ARGUMENT', latencyMs: 0, reason: '', nowMs: 0 });
}

test('records are written to Redis in batches, with a TTL, and any replica reads them back', async () => {
  // PEXPIREAT is absolute: buckets are aligned to the real minute (60 s buckets).
  const base = Math.floor(Date.now() / 60_000) * 60_000;
  let now = base + 30_000;
  const a = new DecisionStore({ redis, log, ttlMs: 60_000, flushMs: 10_000, batch: 3, now: () => now });
  const key = decisionBucketKey(base);
  const full = buildRecord({
    requestId: 'req-1', gatewayId: 'gw-a', model: 'ocr_cls', version: '', tenant: 'demo',
    ctl: { priority: 2, poolPreference: 'auto', deadlineAtMs: undefined },
    trace: {
      version: '1', tableVersion: 42, ejected: ['cpu-2'],
      request: { model: 'ocr_cls', version: '1', poolPreference: 'auto', priority: 2, exclude: new Set(), deadlineMs: 80 },
      decision: { placed: true, pool: 'POOL_CPU', reason: 'cheapest pool meeting deadline: cpu', predictedMs: 12.5, costPerRequest: 1.4e-9, candidate: { executor_id: 'cpu-1', pool: 'POOL_CPU' } as never },
      candidates: [
        { executorId: 'gpu-1', pool: 'POOL_GPU', cpuFallback: true, predictedMs: 300, costPerRequest: 3e-10, costPerHour: 0.1, feasible: false, chosen: false, verdict: 'deadline: predicted 300 ms > deadline 80.0 ms', liveInFlight: 6, tableLoad: 4 },
        { executorId: 'cpu-1', pool: 'POOL_CPU', cpuFallback: false, predictedMs: 12.5, costPerRequest: 1.4e-9, costPerHour: 0.4, feasible: true, chosen: true, verdict: 'chosen', liveInFlight: 0, tableLoad: 0 },
      ],
    },
    result: undefined, status: 'OK', latencyMs: 20, reason: 'cheapest pool meeting deadline: cpu', nowMs: 1000,
  });
  // The hot-path encoding (no fromObject) gives the same bytes as the checked one.
  assert.deepEqual(Buffer.from(encodeRecord(full)), Buffer.from(recordCodec.encode(full)));
  assert.deepEqual(Buffer.from(encodeRecord({ ...full, table_version: '42' as never })), Buffer.from(recordCodec.encode(full)), 'a 64-bit field given as a string');
  a.record(full);
  a.record(rec('req-2'));
  assert.equal(await redis.exists(key), 0, 'not written on the hot path');
  a.record(rec('req-3')); // the third fills the batch
  await a.flush();
  assert.equal(a.written, 3);
  assert.deepEqual((await redis.hkeys(key)).sort(), ['req-1', 'req-2', 'req-3'], 'one hash per bucket');
  // The bucket expires ttlMs after it ends.
  assert.equal(await redis.call('PEXPIRETIME', key), base + 60_000 + 60_000);
  // Another replica (empty ring) answers from Redis, field for field, up to ttlMs after the bucket.
  now = base + 60_000 + 59_000;
  const b = new DecisionStore({ redis, log, ttlMs: 60_000, now: () => now });
  const got = await b.get('req-1');
  assert.ok(got);
  assert.equal(got.executor_id, 'cpu-1');
  assert.equal(got.pool, 'POOL_CPU');
  assert.equal(got.deadline_ms, 80);
  assert.equal(got.predicted_ms, 12.5);
  assert.equal(got.table_version, 42);
  assert.equal(got.priority, 2);
  assert.deepEqual(got.ejected, ['cpu-2']);
  assert.deepEqual(got.candidates.map((c) => [c.executor_id, c.pool, c.verdict, c.live_in_flight]), [['gpu-1', 'POOL_GPU', 'deadline: predicted 300 ms > deadline 80.0 ms', 6], ['cpu-1', 'POOL_CPU', 'chosen', 0]]);
  assert.equal(await b.get('nope'), undefined);
  await a.close();
  await b.close();
});

test('the ring answers without Redis and is bounded (oldest first out)', async () => {
  const s = new DecisionStore({ log, ringSize: 2 });
  s.record(rec('a'));
  s.record(rec('b'));
  s.record(rec('c'));
  assert.equal(await s.get('a'), undefined);
  assert.equal((await s.get('c'))?.request_id, 'c');
  await s.close();
});

test('the timer flushes; a Redis failure drops the batch, never throws', async () => {
  const base = Math.floor(Date.now() / 60_000) * 60_000;
  const s = new DecisionStore({ redis, log, flushMs: 20, now: () => base + 1 });
  s.record(rec('timed'));
  const key = decisionBucketKey(base);
  for (let i = 0; i < 100 && !(await redis.hexists(key, 'timed')); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(await redis.hexists(key, 'timed'), 1);
  await s.close();
  const broken = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  const f = new DecisionStore({ redis: broken, log, flushMs: 10_000 });
  f.record(rec('lost'));
  await f.flush();
  assert.equal(f.dropped, 1);
  assert.equal((await f.get('lost'))?.request_id, 'lost', 'still in the ring');
  await f.close();
  broken.disconnect();
});

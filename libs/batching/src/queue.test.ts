import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchQueue, validateConfig } from './queue.ts';
import type { BatcherConfig, Pending } from './queue.ts';

const base: BatcherConfig = { maxBatchSize: 4, maxQueueDelayMs: 10, maxQueueSize: 100 };

function q(cfg: Partial<BatcherConfig> = {}): BatchQueue<string> {
  return new BatchQueue<string>({ ...base, ...cfg });
}

function add(
  bq: BatchQueue<string>,
  item: string,
  at: number,
  o: { key?: string; rows?: number; priority?: number; deadlineMs?: number } = {},
): number {
  const r = bq.enqueue({
    item,
    key: o.key ?? 'k',
    rows: o.rows ?? 1,
    priority: o.priority ?? 0,
    enqueuedAtMs: at,
    ...(o.deadlineMs !== undefined ? { deadlineMs: o.deadlineMs } : {}),
  });
  assert.ok(r.ok, `enqueue ${item} failed: ${JSON.stringify(r)}`);
  return r.id;
}

const items = (b: Pending<string>[] | undefined): string[] | undefined => b?.map((p) => p.item);

test('config validation names the bad setting', () => {
  assert.throws(() => validateConfig({ ...base, maxBatchSize: 0 }), /maxBatchSize/);
  assert.throws(() => validateConfig({ ...base, maxBatchSize: 2.5 }), /maxBatchSize/);
  assert.throws(() => validateConfig({ ...base, maxQueueDelayMs: -1 }), /maxQueueDelayMs/);
  assert.throws(() => validateConfig({ ...base, maxQueueSize: 0 }), /maxQueueSize/);
  assert.throws(() => validateConfig({ ...base, priorityLevels: 0 }), /priorityLevels/);
  assert.throws(() => validateConfig({ ...base, maxConcurrentBatches: 0 }), /maxConcurrentBatches/);
  assert.throws(() => validateConfig({ ...base, preferredBatchSizes: [2, 5] }), /preferredBatchSizes/);
  assert.doesNotThrow(() => validateConfig({ ...base, maxQueueSize: Infinity, preferredBatchSizes: [2, 4] }));
});

test('max batch size: a full bucket launches at once and never exceeds maxBatchSize', () => {
  const bq = q();
  for (let i = 0; i < 10; i++) add(bq, `r${i}`, 0);
  const r1 = bq.poll(0, 0);
  assert.deepEqual(items(r1.batch), ['r0', 'r1', 'r2', 'r3']);
  const r2 = bq.poll(0, 0);
  assert.deepEqual(items(r2.batch), ['r4', 'r5', 'r6', 'r7']);
  // 2 left: below maxBatchSize, delay not elapsed -> wait
  assert.equal(bq.poll(0, 0).batch, undefined);
  assert.equal(bq.size, 2);
});

test('multi-row requests: rows are summed, FIFO is kept, a batch never exceeds maxBatchSize rows', () => {
  const bq = q({ maxBatchSize: 8 });
  add(bq, 'a', 0, { rows: 5 });
  add(bq, 'b', 0, { rows: 5 });
  // 10 rows queued >= 8: launch now, but b cannot join a (would be 10 rows)
  const r = bq.poll(0, 0);
  assert.deepEqual(items(r.batch), ['a']);
  assert.equal(bq.queuedRows('k'), 5);
});

test('launches at max queue delay with what is queued, not before', () => {
  const bq = q();
  add(bq, 'a', 0);
  add(bq, 'b', 3);
  assert.equal(bq.poll(9.999, 0).batch, undefined);
  assert.deepEqual(items(bq.poll(10, 0).batch), ['a', 'b']);
  assert.equal(bq.size, 0);
});

test('maxQueueDelayMs 0 launches immediately', () => {
  const bq = q({ maxQueueDelayMs: 0 });
  add(bq, 'a', 5);
  assert.deepEqual(items(bq.poll(5, 0).batch), ['a']);
});

test('preferred sizes: launch immediately at the largest preferred size', () => {
  const bq = q({ maxBatchSize: 8, preferredBatchSizes: [2, 4] });
  add(bq, 'a', 0);
  add(bq, 'b', 0);
  add(bq, 'c', 0);
  assert.equal(bq.poll(0, 0).batch, undefined, '3 rows: below largest preferred (4), wait');
  add(bq, 'd', 0);
  add(bq, 'e', 0);
  // 5 queued >= 4: launch a batch of exactly 4 (preferred), not 5
  assert.deepEqual(items(bq.poll(0, 0).batch), ['a', 'b', 'c', 'd']);
  assert.equal(bq.size, 1);
});

test('preferred sizes: at delay expiry cut at a preferred size that can be reached exactly', () => {
  const bq = q({ maxBatchSize: 8, preferredBatchSizes: [2, 4, 6] });
  add(bq, 'a', 0);
  add(bq, 'b', 0);
  add(bq, 'c', 0);
  // delay expired with 3 rows: preferred 2 reachable exactly -> batch of 2
  assert.deepEqual(items(bq.poll(10, 0).batch), ['a', 'b']);
  // remaining c also waited past its delay: no preferred size reachable -> as many as fit (1)
  assert.deepEqual(items(bq.poll(10, 0).batch), ['c']);
});

test('preferred sizes: a full maxBatchSize batch is always acceptable', () => {
  const bq = q({ maxBatchSize: 8, preferredBatchSizes: [3] });
  for (let i = 0; i < 8; i++) add(bq, `r${i}`, 0);
  assert.equal(bq.poll(0, 0).batch?.length, 8);
});

test('preferred sizes with multi-row requests: exact preferred prefix is chosen', () => {
  const bq = q({ maxBatchSize: 8, preferredBatchSizes: [4] });
  add(bq, 'a', 0, { rows: 3 });
  add(bq, 'b', 0, { rows: 1 });
  add(bq, 'c', 0, { rows: 2 });
  // 6 rows >= 4 -> launch; prefixes 3,4,6 -> 4 is preferred
  assert.deepEqual(items(bq.poll(0, 0).batch), ['a', 'b']);
});

test('priorities: a high-priority request overtakes queued low ones', () => {
  const bq = q({ priorityLevels: 3, maxBatchSize: 2 });
  add(bq, 'low1', 0, { priority: 2 });
  add(bq, 'low2', 1, { priority: 2 });
  add(bq, 'low3', 2, { priority: 2 });
  add(bq, 'mid', 3, { priority: 1 });
  add(bq, 'high', 4, { priority: 0 });
  assert.deepEqual(bq.sizeByPriority(), [1, 1, 3]);
  assert.deepEqual(items(bq.poll(4, 0).batch), ['high', 'mid']);
  assert.deepEqual(items(bq.poll(4, 0).batch), ['low1', 'low2']);
  assert.deepEqual(bq.sizeByPriority(), [0, 0, 1]);
});

test('priorities: among ready buckets, the one holding the highest-priority request goes first', () => {
  const bq = q({ priorityLevels: 2, maxBatchSize: 2 });
  add(bq, 'x-low', 0, { key: 'x', priority: 1 });
  add(bq, 'x-low2', 0, { key: 'x', priority: 1 });
  add(bq, 'y-high', 1, { key: 'y', priority: 0 });
  add(bq, 'y-high2', 1, { key: 'y', priority: 0 });
  assert.deepEqual(items(bq.poll(1, 0).batch), ['y-high', 'y-high2']);
  assert.deepEqual(items(bq.poll(1, 0).batch), ['x-low', 'x-low2']);
});

test('a ready low-priority bucket is not held back by an unready high-priority one (work conserving)', () => {
  const bq = q({ priorityLevels: 2, maxBatchSize: 2 });
  add(bq, 'hi', 0, { key: 'x', priority: 0 });
  add(bq, 'lo1', 0, { key: 'y', priority: 1 });
  add(bq, 'lo2', 0, { key: 'y', priority: 1 });
  assert.deepEqual(items(bq.poll(1, 0).batch), ['lo1', 'lo2']);
  assert.deepEqual(items(bq.poll(10, 0).batch), ['hi']);
});

test('shape keys are never mixed in a batch', () => {
  const bq = q({ maxBatchSize: 4 });
  add(bq, 'a1', 0, { key: 'A' });
  add(bq, 'b1', 0, { key: 'B' });
  add(bq, 'a2', 1, { key: 'A' });
  add(bq, 'b2', 1, { key: 'B' });
  add(bq, 'a3', 2, { key: 'A' });
  const seen: string[][] = [];
  for (let t = 0; t <= 20 && bq.size > 0; t++) {
    const r = bq.poll(t, 0);
    if (r.batch) {
      assert.equal(new Set(r.batch.map((p) => p.key)).size, 1, 'one key per batch');
      seen.push(items(r.batch)!);
    }
  }
  assert.deepEqual(seen, [
    ['a1', 'a2', 'a3'],
    ['b1', 'b2'],
  ]);
});

test('randomized: every batch has one key, <= maxBatchSize rows, and every request is answered exactly once', () => {
  let seed = 42;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const bq = new BatchQueue<number>({ maxBatchSize: 6, maxQueueDelayMs: 5, maxQueueSize: 50, priorityLevels: 3, preferredBatchSizes: [2, 4], maxConcurrentBatches: 2 });
  const answered = new Map<number, string>();
  const accepted = new Set<number>();
  let running: number[] = [];
  for (let t = 0; t < 2000; t++) {
    const n = Math.floor(rnd() * 3);
    for (let i = 0; i < n; i++) {
      const r = bq.enqueue({ item: t, key: `k${Math.floor(rnd() * 3)}`, rows: 1 + Math.floor(rnd() * 3), priority: Math.floor(rnd() * 3), enqueuedAtMs: t, ...(rnd() < 0.3 ? { deadlineMs: t + rnd() * 20 } : {}) });
      if (r.ok) accepted.add(r.id);
      else assert.equal(r.code, 'RESOURCE_EXHAUSTED');
    }
    running = running.filter((end) => end > t);
    for (;;) {
      const wake = bq.nextWakeMs(t, running.length);
      if (wake !== undefined) assert.ok(wake >= t);
      const r = bq.poll(t, running.length);
      for (const p of r.expired) {
        assert.ok(p.deadlineMs! <= t, 'expired only after deadline');
        assert.ok(!answered.has(p.id));
        answered.set(p.id, 'expired');
      }
      if (!r.batch) break;
      assert.ok(running.length < 2);
      assert.equal(new Set(r.batch.map((p) => p.key)).size, 1);
      assert.ok(r.batch.reduce((s, p) => s + p.rows, 0) <= 6);
      for (const p of r.batch) {
        assert.ok(!answered.has(p.id));
        assert.ok(p.deadlineMs === undefined || p.deadlineMs > t, 'no expired request in a batch');
        answered.set(p.id, 'ran');
      }
      running.push(t + 3);
    }
  }
  // flush the rest
  for (let t = 2000; bq.size > 0; t++) {
    const r = bq.poll(t, 0, { flush: true });
    for (const p of [...r.expired, ...(r.batch ?? [])]) answered.set(p.id, 'x');
  }
  assert.equal(answered.size, accepted.size);
  const kinds = [...answered.values()];
  assert.ok(kinds.includes('expired') && kinds.includes('ran'), 'the run exercised both expiry and batching');
});

test('queue full -> RESOURCE_EXHAUSTED immediately; space frees after a batch', () => {
  const bq = q({ maxQueueSize: 2, maxBatchSize: 8 });
  add(bq, 'a', 0);
  add(bq, 'b', 0);
  const r = bq.enqueue({ item: 'c', key: 'k', rows: 1, priority: 0, enqueuedAtMs: 0 });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.code, 'RESOURCE_EXHAUSTED');
  assert.match(!r.ok ? r.message : '', /full/);
  assert.equal(bq.size, 2);
  assert.ok(bq.poll(10, 0).batch);
  add(bq, 'c', 11);
});

test('rows > maxBatchSize and other bad requests -> INVALID_ARGUMENT', () => {
  const bq = q({ priorityLevels: 2 });
  const bad = (o: Partial<Omit<Pending<string>, 'id'>>): string => {
    const r = bq.enqueue({ item: 'x', key: 'k', rows: 1, priority: 0, enqueuedAtMs: 0, ...o });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.code, 'INVALID_ARGUMENT');
    return !r.ok ? r.message : '';
  };
  assert.match(bad({ rows: 5 }), /maxBatchSize 4/);
  assert.match(bad({ rows: 0 }), /rows/);
  assert.match(bad({ rows: 1.5 }), /rows/);
  assert.match(bad({ priority: 2 }), /priority/);
  assert.match(bad({ priority: -1 }), /priority/);
  assert.match(bad({ deadlineMs: NaN }), /deadlineMs/);
  assert.match(bad({ enqueuedAtMs: NaN }), /enqueuedAtMs/);
  assert.equal(bq.size, 0);
});

test('invalid beats full: a bad request on a full queue is INVALID_ARGUMENT', () => {
  const bq = q({ maxQueueSize: 1 });
  add(bq, 'a', 0);
  const r = bq.enqueue({ item: 'x', key: 'k', rows: 9, priority: 0, enqueuedAtMs: 0 });
  assert.equal(!r.ok && r.code, 'INVALID_ARGUMENT');
});

test('expiry in queue: returned at its deadline, even while batches run, and never batched', () => {
  const bq = q({ maxBatchSize: 4 });
  add(bq, 'a', 0, { deadlineMs: 5 });
  add(bq, 'b', 0);
  // a batch slot is busy (running=1 of 1): no batch, but expiry still reported
  let r = bq.poll(4.9, 1);
  assert.deepEqual(r.expired, []);
  r = bq.poll(5, 1);
  assert.deepEqual(items(r.expired), ['a']);
  assert.equal(r.batch, undefined);
  r = bq.poll(10, 0);
  assert.deepEqual(items(r.batch), ['b']);
});

test('expired requests are dropped before the batch is formed', () => {
  const bq = q({ maxBatchSize: 2 });
  add(bq, 'a', 0, { deadlineMs: 3 });
  add(bq, 'b', 0);
  add(bq, 'c', 0);
  const r = bq.poll(3, 0);
  assert.deepEqual(items(r.expired), ['a']);
  assert.deepEqual(items(r.batch), ['b', 'c']);
});

test('estimatedServiceMs: a request that cannot finish in time even alone expires early', () => {
  const bq = q({ maxBatchSize: 4, estimatedServiceMs: (rows) => 2 + rows });
  add(bq, 'a', 0, { deadlineMs: 10 }); // alone needs 3 ms -> hopeless from t=7
  assert.equal(bq.nextWakeMs(0), 7);
  assert.deepEqual(bq.poll(6.9, 1).expired, []);
  assert.deepEqual(items(bq.poll(7, 1).expired), ['a']);
});

test('estimatedServiceMs: a batch only grows while every member still meets its deadline', () => {
  const bq = q({ maxBatchSize: 4, maxQueueDelayMs: 0, estimatedServiceMs: (rows) => rows * 10 });
  add(bq, 'tight', 0, { deadlineMs: 25 }); // alone: 10 ms ok; with 2 rows 20 ok; with 3 rows 30 > 25
  add(bq, 'b', 0);
  add(bq, 'c', 0);
  add(bq, 'd', 0);
  const r = bq.poll(0, 0);
  assert.deepEqual(r.expired, []);
  assert.deepEqual(items(r.batch), ['tight', 'b']);
  assert.deepEqual(items(bq.poll(0, 0).batch), ['c', 'd']);
});

test('maxConcurrentBatches: no launch while every slot is busy, even when full', () => {
  const bq = q({ maxBatchSize: 2, maxConcurrentBatches: 2 });
  for (let i = 0; i < 6; i++) add(bq, `r${i}`, 0);
  assert.ok(bq.poll(0, 0).batch);
  assert.ok(bq.poll(0, 1).batch);
  assert.equal(bq.poll(0, 2).batch, undefined);
  assert.equal(bq.poll(100, 2).batch, undefined);
  assert.deepEqual(items(bq.poll(100, 1).batch), ['r4', 'r5']);
});

test('default maxConcurrentBatches is 1', () => {
  const bq = q({ maxBatchSize: 1 });
  add(bq, 'a', 0);
  assert.equal(bq.poll(0, 1).batch, undefined);
  assert.ok(bq.poll(0, 0).batch);
});

test('nextWakeMs: undefined when empty, oldest delay expiry, earliest deadline, now when ready', () => {
  const bq = q({ maxBatchSize: 4, maxQueueDelayMs: 10 });
  assert.equal(bq.nextWakeMs(0), undefined);
  add(bq, 'a', 2, { key: 'A' });
  assert.equal(bq.nextWakeMs(3), 12);
  add(bq, 'b', 1, { key: 'B', deadlineMs: 7 });
  assert.equal(bq.nextWakeMs(3), 7, 'deadline earlier than delays');
  // while all slots are busy only deadlines count
  assert.equal(bq.nextWakeMs(3, 1), 7);
  bq.poll(7, 1); // expires b
  assert.equal(bq.nextWakeMs(7, 1), undefined, 'busy, no deadlines: nothing to wake for');
  assert.equal(bq.nextWakeMs(7, 0), 12);
  assert.equal(bq.nextWakeMs(20), 20, 'overdue bucket -> now');
  for (let i = 0; i < 3; i++) add(bq, `a${i}`, 20, { key: 'A' });
  assert.equal(bq.nextWakeMs(13), 13, 'full bucket -> now');
});

test('nextWakeMs agrees with poll: nothing happens before it, something at it', () => {
  const bq = q({ maxBatchSize: 8, maxQueueDelayMs: 10 });
  add(bq, 'a', 0, { key: 'A' });
  add(bq, 'b', 4, { key: 'B', deadlineMs: 30 });
  add(bq, 'c', 6, { key: 'C', deadlineMs: 8 });
  const order: string[] = [];
  let now = 0;
  while (bq.size > 0) {
    const wake = bq.nextWakeMs(now)!;
    const before = bq.poll(wake - 0.001, 0);
    assert.deepEqual(before.expired, []);
    assert.equal(before.batch, undefined);
    now = wake;
    const r = bq.poll(now, 0);
    assert.ok(r.expired.length > 0 || r.batch, `something due at ${now}`);
    for (const p of r.expired) order.push(`expired:${p.item}@${now}`);
    if (r.batch) order.push(`batch:${items(r.batch)!.join(',')}@${now}`);
  }
  assert.deepEqual(order, ['expired:c@8', 'batch:a@10', 'batch:b@14']);
});

test('cancel removes a queued request', () => {
  const bq = q({ maxBatchSize: 4 });
  const a = add(bq, 'a', 0, { deadlineMs: 5 });
  add(bq, 'b', 0);
  assert.equal(bq.cancel(a), true);
  assert.equal(bq.cancel(a), false);
  assert.equal(bq.size, 1);
  assert.equal(bq.nextWakeMs(0), 10, 'cancelled deadline no longer wakes');
  const r = bq.poll(10, 0);
  assert.deepEqual(r.expired, []);
  assert.deepEqual(items(r.batch), ['b']);
});

test('flush launches without waiting for the delay', () => {
  const bq = q({ maxBatchSize: 4 });
  add(bq, 'a', 0);
  assert.equal(bq.poll(0, 0).batch, undefined);
  assert.deepEqual(items(bq.poll(0, 0, { flush: true }).batch), ['a']);
});

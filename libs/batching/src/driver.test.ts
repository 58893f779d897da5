import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchError, DynamicBatcher } from './driver.ts';
import type { BatcherConfig } from './queue.ts';

/** Manual clock + timers: time moves only on advance(). */
class FakeClock {
  t = 0;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  now = (): number => this.t;
  setTimer = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  };
  clearTimer = (h: unknown): void => {
    this.timers.delete(h as number);
  };
  get pending(): number {
    return this.timers.size;
  }
  /** Fire due timers in time order up to `to`, letting promise callbacks run after each. */
  async advanceTo(to: number): Promise<void> {
    await flush();
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= to && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
      await flush();
    }
    this.t = to;
    await flush();
  }
  /** A promise resolved `ms` later on this clock. */
  sleep(ms: number): Promise<void> {
    return new Promise((r) => this.setTimer(r, ms));
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

const cfg: BatcherConfig = { maxBatchSize: 2, maxQueueDelayMs: 10, maxQueueSize: 10 };

function settled<T>(p: Promise<T>, log: string[], name: string, clock: () => number): Promise<T | BatchError> {
  return p.then(
    (v) => {
      log.push(`${name}:ok@${clock()}`);
      return v;
    },
    (e: BatchError) => {
      log.push(`${name}:${e.code}@${clock()}`);
      return e;
    },
  );
}

test('fake clock: full batch at once, remainder at the queue delay, results in order', async () => {
  const clock = new FakeClock();
  const calls: { at: number; items: number[] }[] = [];
  const b = new DynamicBatcher<number, number>(cfg, {
    runBatch: async (items) => {
      calls.push({ at: clock.t, items });
      return items.map((x) => x * 10);
    },
    now: clock.now,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
  });
  const ps = [1, 2, 3].map((x) => b.submit(x, { key: 'k' }));
  await clock.advanceTo(0);
  assert.deepEqual(calls, [{ at: 0, items: [1, 2] }]);
  await clock.advanceTo(9);
  assert.equal(calls.length, 1, 'not before the delay');
  await clock.advanceTo(10);
  assert.deepEqual(calls[1], { at: 10, items: [3] });
  assert.deepEqual(await Promise.all(ps), [10, 20, 30]);
  const s = b.stats();
  assert.equal(s.batchesRun, 2);
  assert.deepEqual([...s.histogram].sort(), [
    [1, 1],
    [2, 1],
  ]);
  assert.equal(s.queued, 0);
  assert.equal(s.running, 0);
  assert.equal(clock.pending, 0, 'no timer left armed when idle');
});

test('fake clock: a deadline that passes while a 200 ms batch runs is rejected at the deadline (Triton #7512)', async () => {
  const clock = new FakeClock();
  const log: string[] = [];
  const b = new DynamicBatcher<string, string>(
    { maxBatchSize: 1, maxQueueDelayMs: 0, maxQueueSize: 10 },
    {
      runBatch: async (items) => {
        log.push(`run:${items.join(',')}@${clock.t}`);
        await clock.sleep(200);
        return items;
      },
      now: clock.now,
      setTimer: clock.setTimer,
      clearTimer: clock.clearTimer,
    },
  );
  const a = settled(b.submit('a', { key: 'k' }), log, 'a', clock.now);
  const late = settled(b.submit('b', { key: 'k', deadlineMs: 5 }), log, 'b', clock.now);
  await clock.advanceTo(4);
  assert.deepEqual(log, ['run:a@0']);
  await clock.advanceTo(250);
  await Promise.all([a, late]);
  assert.deepEqual(log, ['run:a@0', 'b:DEADLINE_EXCEEDED@5', 'a:ok@200']);
  const e = await late;
  assert.ok(e instanceof BatchError);
  assert.match(e.message, /deadline/);
});

test('real timers: deadline rejection comes before the running 200 ms batch finishes', async (t) => {
  const order: string[] = [];
  const b = new DynamicBatcher<string, string>(
    { maxBatchSize: 1, maxQueueDelayMs: 0, maxQueueSize: 10 },
    {
      runBatch: async (items) => {
        await sleep(200);
        order.push(`done:${items.join(',')}`);
        return items;
      },
    },
  );
  const t0 = performance.now();
  const a = b.submit('a', { key: 'k' });
  let rejectedAfterMs = -1;
  const late = b.submit('b', { key: 'k', deadlineMs: performance.now() + 5 }).then(
    () => order.push('b:ok'),
    (e: BatchError) => {
      rejectedAfterMs = performance.now() - t0;
      order.push(`b:${e.code}`);
    },
  );
  assert.equal(await a, 'a');
  await late;
  assert.deepEqual(order, ['b:DEADLINE_EXCEEDED', 'done:a']);
  // informational only (no wall-clock assertion): typically ~5 ms, never ~200 ms
  t.diagnostic(`deadline rejection after ${rejectedAfterMs.toFixed(1)} ms`);
});

test('real timers end to end: batches by key, sizes and results', async () => {
  const batches: string[][] = [];
  const b = new DynamicBatcher<string, string>(
    // The queue delay is long enough that a loaded machine cannot let it lapse between two
    // synchronous submits (which would launch a partial batch before a4 arrives).
    { maxBatchSize: 4, maxQueueDelayMs: 250, maxQueueSize: 100, maxConcurrentBatches: 2 },
    {
      runBatch: async (items) => {
        batches.push(items);
        await sleep(2);
        return items.map((s) => s.toUpperCase());
      },
    },
  );
  const inputs = ['a1', 'a2', 'b1', 'a3', 'a4', 'a5', 'b2'];
  const res = await Promise.all(inputs.map((s) => b.submit(s, { key: s[0]! })));
  assert.deepEqual(res, inputs.map((s) => s.toUpperCase()));
  for (const batch of batches) assert.equal(new Set(batch.map((s) => s[0])).size, 1, `mixed keys in ${batch}`);
  assert.deepEqual(batches[0], ['a1', 'a2', 'a3', 'a4'], 'full batch launched at once');
  assert.deepEqual(batches.slice(1).map((x) => x.join()).sort(), ['a5', 'b1,b2']);
  assert.equal(b.stats().histogram.get(4), 1);
});

test('runBatch failure rejects every item with INTERNAL carrying the message (async and sync throw)', async () => {
  for (const mode of ['async', 'sync'] as const) {
    const clock = new FakeClock();
    const b = new DynamicBatcher<number, number>(cfg, {
      runBatch: mode === 'async'
        ? async () => {
            throw new Error('gpu on fire');
          }
        : () => {
            throw new Error('gpu on fire');
          },
      now: clock.now,
      setTimer: clock.setTimer,
      clearTimer: clock.clearTimer,
    });
    const rs = await Promise.allSettled([b.submit(1, { key: 'k' }), b.submit(2, { key: 'k' })]);
    for (const r of rs) {
      assert.equal(r.status, 'rejected');
      const e = (r as PromiseRejectedResult).reason as BatchError;
      assert.ok(e instanceof BatchError);
      assert.equal(e.code, 'INTERNAL');
      assert.match(e.message, /gpu on fire/);
    }
    assert.equal(b.stats().running, 0, `${mode}: slot released`);
  }
});

test('result array of the wrong length -> INTERNAL for the whole batch, and the batcher keeps going', async () => {
  const clock = new FakeClock();
  let calls = 0;
  const b = new DynamicBatcher<number, number>(cfg, {
    runBatch: async (items) => (++calls === 1 ? [1] : items),
    now: clock.now,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
  });
  const rs = await Promise.allSettled([b.submit(1, { key: 'k' }), b.submit(2, { key: 'k' })]);
  for (const r of rs) {
    assert.equal(r.status, 'rejected');
    assert.equal(((r as PromiseRejectedResult).reason as BatchError).code, 'INTERNAL');
    assert.match(((r as PromiseRejectedResult).reason as BatchError).message, /1 results for a batch of 2/);
  }
  const ok = await Promise.all([b.submit(3, { key: 'k' }), b.submit(4, { key: 'k' })]);
  assert.deepEqual(ok, [3, 4]);
});

test('queue full -> RESOURCE_EXHAUSTED at once; rows > max -> INVALID_ARGUMENT', async () => {
  const clock = new FakeClock();
  let ran = 0;
  const b = new DynamicBatcher<number, number>(
    { maxBatchSize: 4, maxQueueDelayMs: 100, maxQueueSize: 2 },
    { runBatch: async (items) => ((ran += items.length), items), now: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer },
  );
  const p1 = b.submit(1, { key: 'k' });
  const p2 = b.submit(2, { key: 'k' });
  await assert.rejects(b.submit(3, { key: 'k' }), (e: BatchError) => e.code === 'RESOURCE_EXHAUSTED');
  await assert.rejects(b.submit(4, { key: 'k', rows: 5 }), (e: BatchError) => e.code === 'INVALID_ARGUMENT' && /maxBatchSize/.test(e.message));
  await assert.rejects(b.submit(5, { key: 'k', priority: 3 }), (e: BatchError) => e.code === 'INVALID_ARGUMENT');
  assert.equal(clock.t, 0, 'rejected before any time passed');
  await clock.advanceTo(100);
  assert.deepEqual(await Promise.all([p1, p2]), [1, 2]);
  assert.equal(ran, 2);
});

test('priorities through the driver: high priority overtakes queued low ones', async () => {
  const clock = new FakeClock();
  const batches: string[][] = [];
  const gate: (() => void)[] = [];
  const b = new DynamicBatcher<string, string>(
    { maxBatchSize: 2, maxQueueDelayMs: 0, maxQueueSize: 10, priorityLevels: 2 },
    {
      runBatch: (items) => {
        batches.push(items);
        return new Promise((r) => gate.push(() => r(items)));
      },
      now: clock.now,
      setTimer: clock.setTimer,
      clearTimer: clock.clearTimer,
    },
  );
  const ps = [
    b.submit('first', { key: 'k', priority: 1 }),
    b.submit('lo1', { key: 'k', priority: 1 }),
    b.submit('lo2', { key: 'k', priority: 1 }),
    b.submit('hi', { key: 'k', priority: 0 }),
  ];
  await flush();
  assert.deepEqual(batches, [['first']]);
  gate.shift()!();
  await flush();
  assert.deepEqual(batches[1], ['hi', 'lo1']);
  gate.shift()!();
  await flush();
  assert.deepEqual(batches[2], ['lo2']);
  gate.shift()!();
  await Promise.all(ps);
});

test('maxConcurrentBatches bounds running batches in the driver', async () => {
  const clock = new FakeClock();
  let peak = 0;
  let live = 0;
  const b = new DynamicBatcher<number, number>(
    { maxBatchSize: 1, maxQueueDelayMs: 0, maxQueueSize: 10, maxConcurrentBatches: 2 },
    {
      runBatch: async (items) => {
        peak = Math.max(peak, ++live);
        await clock.sleep(10);
        live--;
        return items;
      },
      now: clock.now,
      setTimer: clock.setTimer,
      clearTimer: clock.clearTimer,
    },
  );
  const ps = [1, 2, 3, 4, 5].map((x) => b.submit(x, { key: 'k' }));
  await clock.advanceTo(0);
  assert.equal(b.stats().running, 2);
  assert.equal(b.stats().queued, 3);
  await clock.advanceTo(100);
  assert.deepEqual(await Promise.all(ps), [1, 2, 3, 4, 5]);
  assert.equal(peak, 2);
});

test('drain: rejects new with UNAVAILABLE, runs out the queue without waiting for the delay, resolves when idle', async () => {
  const clock = new FakeClock();
  const runs: { at: number; items: number[] }[] = [];
  const b = new DynamicBatcher<number, number>(
    { maxBatchSize: 2, maxQueueDelayMs: 1000, maxQueueSize: 10 },
    {
      runBatch: async (items) => {
        runs.push({ at: clock.t, items });
        await clock.sleep(5);
        return items;
      },
      now: clock.now,
      setTimer: clock.setTimer,
      clearTimer: clock.clearTimer,
    },
  );
  const ps = [1, 2, 3].map((x) => b.submit(x, { key: 'k' }));
  let drained = false;
  const d = b.drain().then(() => (drained = true));
  assert.equal(b.drain(), b.drain(), 'same promise on repeat');
  await assert.rejects(b.submit(9, { key: 'k' }), (e: BatchError) => e.code === 'UNAVAILABLE');
  await clock.advanceTo(4);
  assert.equal(drained, false, 'not idle while a batch runs');
  await clock.advanceTo(20);
  await d;
  assert.equal(drained, true);
  assert.deepEqual(runs, [
    { at: 0, items: [1, 2] },
    { at: 5, items: [3] },
  ]);
  assert.deepEqual(await Promise.all(ps), [1, 2, 3]);
  assert.equal(clock.t, 20);
});

test('drain on an idle batcher resolves at once', async () => {
  const b = new DynamicBatcher<number, number>(cfg, { runBatch: async (x) => x });
  await b.drain();
  await assert.rejects(b.submit(1, { key: 'k' }), (e: BatchError) => e.code === 'UNAVAILABLE');
});

test('AbortSignal cancels a queued request (CANCELLED) and it never runs', async () => {
  const clock = new FakeClock();
  const ran: number[] = [];
  const b = new DynamicBatcher<number, number>(cfg, {
    runBatch: async (items) => (ran.push(...items), items),
    now: clock.now,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
  });
  const ac = new AbortController();
  const p1 = b.submit(1, { key: 'k', signal: ac.signal });
  const p2 = b.submit(2, { key: 'k2' });
  ac.abort();
  await assert.rejects(p1, (e: BatchError) => e.code === 'CANCELLED');
  assert.equal(b.stats().queued, 1);
  await clock.advanceTo(10);
  assert.equal(await p2, 2);
  assert.deepEqual(ran, [2]);
  await assert.rejects(b.submit(3, { key: 'k', signal: AbortSignal.abort() }), (e: BatchError) => e.code === 'CANCELLED');
});

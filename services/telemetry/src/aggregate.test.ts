import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aggregator, LatencyHistogram, WindowError, type OutcomeLike, type HeartbeatLike } from './aggregate.ts';

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}
function outcome(p: Partial<OutcomeLike> = {}): OutcomeLike {
  return { model_name: 'resnet', model_version: '1', executor_id: 'gpu-0', pool: 'POOL_GPU', status: 'OK', latency_ms: 10, finished_at_ms: 0, ...p };
}
function hb(p: Partial<HeartbeatLike> = {}): HeartbeatLike {
  return { executor_id: 'gpu-0', pool: 'POOL_GPU', region: 'eu', in_flight: 2, queue_depth: 5, utilization: 0.5, draining: false, device: { cpu_fallback: false, execution_provider: 'cuda' }, ...p };
}
/** Relative error allowed by the log buckets (growth 1.1). */
const near = (got: number, want: number, rel = 0.1) => assert.ok(Math.abs(got - want) <= want * rel, `got ${got}, want ~${want}`);

test('histogram percentiles over 1..1000 ms are within bucket resolution', () => {
  const h = new LatencyHistogram();
  for (let i = 1; i <= 1000; i++) h.add(i);
  near(h.quantile(0.5), 500);
  near(h.quantile(0.99), 990);
  near(h.quantile(0.9), 900);
  assert.equal(h.quantile(0), 1);
  assert.equal(h.quantile(1), 1000);
  assert.equal(new LatencyHistogram().quantile(0.5), 0);
});

test('histogram: a single value is returned exactly; merge equals adding everything', () => {
  const one = new LatencyHistogram();
  one.add(42.5);
  assert.equal(one.quantile(0.5), 42.5);
  assert.equal(one.quantile(0.99), 42.5);
  const a = new LatencyHistogram();
  const b = new LatencyHistogram();
  const all = new LatencyHistogram();
  for (let i = 0; i < 100; i++) {
    (i % 2 ? a : b).add(i * 3 + 0.5);
    all.add(i * 3 + 0.5);
  }
  a.merge(b);
  assert.equal(a.count, 100);
  assert.equal(a.quantile(0.5), all.quantile(0.5));
  assert.equal(a.quantile(0.99), all.quantile(0.99));
  // Skewed: 99 fast + 1 very slow -> p50 fast, p99 not the outlier's 1000 ms
  const s = new LatencyHistogram();
  for (let i = 0; i < 99; i++) s.add(5);
  s.add(1000);
  near(s.quantile(0.5), 5);
  assert.ok(s.quantile(0.995) > 100);
});

test('totals, errors and grouping by pool, executor and model', () => {
  const c = clock();
  const agg = new Aggregator({ now: c.now });
  for (let i = 0; i < 6; i++) agg.recordOutcome(outcome({ latency_ms: 20 }));
  for (let i = 0; i < 3; i++) agg.recordOutcome(outcome({ executor_id: 'cpu-0', pool: 'POOL_CPU', model_version: '2', latency_ms: 100 }));
  agg.recordOutcome(outcome({ executor_id: 'cpu-0', pool: 'POOL_CPU', status: 'DEADLINE_EXCEEDED', latency_ms: 500 }));
  agg.recordOutcome(outcome({ executor_id: '', pool: 'POOL_UNSPECIFIED', status: 'RESOURCE_EXHAUSTED', latency_ms: 1 }));
  const s = agg.summary(0);
  assert.equal(s.requests, 11);
  assert.equal(s.errors, 2);
  assert.equal(s.since_ms, c.now());
  assert.deepEqual(s.by_pool.map((g) => [g.key, g.requests, g.errors]), [['gpu', 6, 0], ['cpu', 4, 1], ['unspecified', 1, 1]]);
  assert.deepEqual(s.by_executor.map((g) => [g.key, g.requests, g.errors]), [['gpu-0', 6, 0], ['cpu-0', 4, 1], ['unplaced', 1, 1]]);
  assert.deepEqual(s.by_model.map((g) => [g.key, g.requests]), [['resnet:1', 8], ['resnet:2', 3]]);
  const gpu = s.by_pool.find((g) => g.key === 'gpu');
  assert.equal(gpu?.p50_ms, 20);
  const cpu = s.by_pool.find((g) => g.key === 'cpu');
  near(cpu?.p50_ms ?? 0, 100);
  assert.equal(cpu?.p99_ms, 500);
});

test('windows: old outcomes fall out of short windows but stay in since-start', () => {
  const c = clock(1_000_000);
  const agg = new Aggregator({ now: c.now, slotMs: 1000, retentionMs: 600_000 });
  agg.recordOutcome(outcome({ latency_ms: 1000 }));
  c.advance(120_000);
  agg.recordOutcome(outcome({ latency_ms: 10 }));
  agg.recordOutcome(outcome({ latency_ms: 10, status: 'UNAVAILABLE' }));
  const last60 = agg.summary(60);
  assert.equal(last60.requests, 2);
  assert.equal(last60.errors, 1);
  assert.equal(last60.p99_ms, 10);
  assert.equal(last60.since_ms, c.now() - 60_000);
  const last300 = agg.summary(300);
  assert.equal(last300.requests, 3);
  assert.equal(last300.p99_ms, 1000);
  assert.equal(last300.since_ms, 1_000_000); // clamped to start
  // Beyond retention: gone from every window, still counted since start.
  c.advance(601_000);
  assert.equal(agg.summary(600).requests, 0);
  assert.equal(agg.summary(0).requests, 3);
});

test('outcomes are placed by finished_at_ms; stale ones only count since start', () => {
  const c = clock(10_000_000);
  const agg = new Aggregator({ now: c.now, slotMs: 1000, retentionMs: 60_000 });
  agg.recordOutcome(outcome({ finished_at_ms: c.now() - 30_000 }));
  agg.recordOutcome(outcome({ finished_at_ms: c.now() - 120_000 })); // older than retention
  agg.recordOutcome(outcome({ finished_at_ms: c.now() + 5_000 })); // future: counted as now
  assert.equal(agg.summary(10).requests, 1);
  assert.equal(agg.summary(60).requests, 2);
  assert.equal(agg.summary(0).requests, 3);
});

test('window bounds are validated', () => {
  const agg = new Aggregator({ retentionMs: 3_600_000 });
  assert.equal(agg.maxWindowSeconds, 3600);
  assert.throws(() => agg.summary(3601), WindowError);
  assert.throws(() => agg.summary(-1), WindowError);
  assert.throws(() => agg.summary(1.5), WindowError);
  assert.equal(agg.summary(3600).requests, 0);
  assert.throws(() => new Aggregator({ slotMs: 0 }), RangeError);
});

test('heartbeats: latest state per executor, executors seen per window, live list drops stale', () => {
  const c = clock();
  const agg = new Aggregator({ now: c.now });
  agg.recordHeartbeat(hb());
  agg.recordHeartbeat(hb({ executor_id: 'gpu-1', device: { cpu_fallback: true, execution_provider: 'cpu' } }));
  agg.recordHeartbeat(hb({ executor_id: '' })); // ignored
  c.advance(40_000);
  agg.recordHeartbeat(hb({ queue_depth: 9, in_flight: 3 }));
  assert.equal(agg.summary(0).executors_seen, 2);
  assert.equal(agg.summary(10).executors_seen, 1);
  assert.equal(agg.summary(60).executors_seen, 2);
  const live = agg.liveExecutors(30_000);
  assert.deepEqual(live.map((e) => [e.executor_id, e.queue_depth, e.in_flight, e.pool]), [['gpu-0', 9, 3, 'gpu']]);
  const all = agg.liveExecutors(60_000);
  const fb = all.find((e) => e.executor_id === 'gpu-1');
  assert.equal(fb?.cpu_fallback, true);
  assert.equal(fb?.execution_provider, 'cpu');
  assert.equal(all.find((e) => e.executor_id === 'gpu-0')?.cpu_fallback, false);
});

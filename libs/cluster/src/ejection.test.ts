import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Heartbeat__Output } from '@switchyard/proto';
import { ClusterView, EjectionTracker, decideCanaries } from './index.ts';

function hb(id: string, ok: number, ms: number, err = 0): Heartbeat__Output {
  return {
    executor_id: id, pool: 'POOL_CPU', region: 'local', address: `127.0.0.1:1${id.slice(-1)}`, device: null, in_flight: 0, queue_depth: 0,
    utilization: 0, cost_per_hour: 0.4, seq: ok + 1, sent_at_ms: 0, started_at_ms: 1, draining: false, version: '0', spiffe_id: 'spiffe://switchyard.local/cpu-executor',
    models: [{ name: 'm', version: '1', state: 'READY', reason: '', queue_depth: 0, in_flight: 0, service_times: ms > 0 ? [{ batch_size: 1, ms }] : [], throughput_rps: 1, success_count: ok, error_count: err, max_batch_size: 8, variant: '' }],
  };
}

test('a 3-executor pool: the slow one is ejected (pool median × factor), kept out of placement, and restored after the ejection time', () => {
  const t = new EjectionTracker({ intervalMs: 1000, baseEjectionMs: 5000, minRequests: 3, windowMs: 5000 });
  const view = new ClusterView({ staleAfterMs: 3000, forgetAfterMs: 30_000 });
  let now = 0;
  let changes: ReturnType<EjectionTracker['evaluate']> = [];
  for (let i = 0; i <= 3; i++, now += 1000) {
    const beats = [hb('cpu-1', i * 10, 4), hb('cpu-2', i * 10, 210), hb('cpu-3', i * 10, 5)];
    for (const b of beats) { t.observe(b, now); view.observe(b, now); }
    changes = changes.concat(t.evaluate(now, beats));
  }
  assert.deepEqual(changes.map((c) => `${c.action} ${c.executorId}`), ['EJECT cpu-2']);
  assert.match(changes[0]!.reason, /^latency p99 210 ms > 15 ms \(median 5 ms × 3\)/);
  assert.deepEqual(t.list().map((r) => r.executorId), ['cpu-2']);
  const cands = view.table(1, now, t.ejectedIds()).routes![0]!.candidates!;
  assert.deepEqual(cands.map((c) => `${c.executor_id}:${c.healthy}`), ['cpu-1:true', 'cpu-2:false', 'cpu-3:true']);
  // No new work on cpu-2; its latency is stale but not new evidence after the restore.
  for (let i = 0; i < 6; i++, now += 1000) {
    const beats = [hb('cpu-1', 40 + i * 10, 4), hb('cpu-2', 30, 210), hb('cpu-3', 40 + i * 10, 5)];
    for (const b of beats) t.observe(b, now);
    changes = changes.concat(t.evaluate(now, beats));
  }
  assert.deepEqual(changes.map((c) => `${c.action} ${c.executorId}`), ['EJECT cpu-2', 'RESTORE cpu-2']);
  assert.equal(t.isEjected('cpu-2'), false);
  // Requests again, faster now: not re-ejected while it recovers.
  for (let i = 0; i < 4; i++, now += 1000) {
    const beats = [hb('cpu-1', 100 + i * 10, 4), hb('cpu-2', 30 + i * 5, 210 * 0.8 ** (5 * (i + 1))), hb('cpu-3', 100 + i * 10, 5)];
    for (const b of beats) t.observe(b, now);
    changes = changes.concat(t.evaluate(now, beats));
  }
  assert.deepEqual(changes.map((c) => `${c.action} ${c.executorId}`), ['EJECT cpu-2', 'RESTORE cpu-2']);
});

test('a small model: 3× the median but only a few ms above it is not an outlier', () => {
  const t = new EjectionTracker({ intervalMs: 1000, minRequests: 3, windowMs: 5000 });
  const changes = [];
  for (let i = 0, now = 0; i <= 3; i++, now += 1000) {
    const beats = [hb('cpu-1', i * 10, 2), hb('cpu-2', i * 10, 7), hb('cpu-3', i * 10, 2.2)];
    for (const b of beats) t.observe(b, now);
    changes.push(...t.evaluate(now, beats));
  }
  assert.deepEqual(changes, []);
});

test('errors: consecutive errors eject at once; a pool of one is never ejected from', () => {
  const t = new EjectionTracker({ consecutiveErrors: 3, intervalMs: 1000, minRequests: 3 });
  t.observe(hb('a', 10, 5), 0); t.observe(hb('b', 10, 5), 0);
  t.observe(hb('a', 10, 5, 4), 1000); t.observe(hb('b', 20, 5), 1000);
  const c = t.evaluate(1000, [hb('a', 10, 5, 4), hb('b', 20, 5)]);
  assert.deepEqual(c.map((x) => `${x.action} ${x.executorId}`), ['EJECT a']);
  assert.match(c[0]!.reason, /consecutive-errors: 4 >= 3/);
  const solo = new EjectionTracker({ consecutiveErrors: 1, intervalMs: 1000 });
  solo.observe(hb('x', 0, 5), 0); solo.observe(hb('x', 0, 5, 9), 1000);
  assert.deepEqual(solo.evaluate(1000, [hb('x', 0, 5, 9)]), []);
});

test('canary decision: newer version rolled back on errors or latency beyond bounds, kept otherwise', () => {
  const v = (version: string, successes: number, failures: number, latencyMs: number) => ({ version, successes, failures, latencyMs });
  const d = decideCanaries(new Map([
    ['errs', [v('1', 100, 0, 10), v('2', 30, 10, 10)]],
    ['slow', [v('2', 100, 0, 10), v('3', 30, 0, 35)]],
    ['fine', [v('1', 100, 1, 10), v('2', 30, 0, 12)]],
    ['young', [v('1', 100, 0, 10), v('2', 3, 3, 99)]],
    ['single', [v('1', 100, 0, 10)]],
  ]));
  assert.deepEqual(d.map((x) => `${x.model} ${x.canary}/${x.stable} ${x.rollback}`), ['errs 2/1 true', 'fine 2/1 false', 'slow 3/2 true', 'young 2/1 false']);
  assert.match(d[0]!.reason, /error rate 25.0 % > stable 0.0 %/);
  assert.match(d[2]!.reason, /latency 35.0 ms > stable 10.0 ms × 2/);
  // A rolled-back version is unhealthy in the table and not "latest".
  const view = new ClusterView({ staleAfterMs: 3000, forgetAfterMs: 30_000 });
  const b = hb('cpu-1', 0, 5);
  b.models.push({ ...b.models[0]!, version: '2' });
  view.observe(b, 0);
  const table = view.table(1, 0, undefined, new Set(['m@2']));
  assert.deepEqual(table.latest_versions, { m: '1' });
  assert.equal(table.routes!.find((r) => r.model_version === '2')!.candidates![0]!.healthy, false);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Heartbeat__Output } from '@switchyard/proto';
import { ClusterView, compareVersions } from './index.ts';

function hb(id: string, over: Partial<Heartbeat__Output> = {}): Heartbeat__Output {
  return {
    executor_id: id, pool: 'POOL_CPU', region: 'local', address: `127.0.0.1:${id.length}`, device: null, in_flight: 0, queue_depth: 0,
    utilization: 0, cost_per_hour: 0.4, seq: 1, sent_at_ms: 0, started_at_ms: 1, draining: false, version: '0', spiffe_id: 'spiffe://switchyard.local/cpu-executor',
    models: [{ name: 'm', version: '1', state: 'READY', reason: '', queue_depth: 0, in_flight: 0, service_times: [], throughput_rps: 0, success_count: 0, error_count: 0, max_batch_size: 8, variant: '' }],
    ...over,
  };
}

test('heartbeats build routes per model and version; only READY models on healthy executors', () => {
  const v = new ClusterView({ staleAfterMs: 3000, forgetAfterMs: 10000 });
  assert.equal(v.observe(hb('cpu-1'), 0), true);
  assert.equal(v.observe(hb('cpu-1', { seq: 2 }), 500), false, 'same shape: no change');
  v.observe(hb('gpu-1', { pool: 'POOL_GPU', models: [
    { ...hb('x').models[0]!, version: '2' },
    { ...hb('x').models[0]!, name: 'loading', state: 'LOADING' },
  ] }), 600);
  const t = v.table(3, 1000);
  assert.equal(t.version, 3);
  assert.deepEqual(t.routes!.map((r) => `${r.model_name}@${r.model_version}:${r.candidates!.map((c) => c.executor_id).join('+')}`), ['m@1:cpu-1', 'm@2:gpu-1']);
  assert.deepEqual(t.latest_versions, { m: '2' });
});

test('silent executors go stale (left out) and are then forgotten; draining ones leave the table', () => {
  const v = new ClusterView({ staleAfterMs: 3000, forgetAfterMs: 10000 });
  v.observe(hb('cpu-1'), 0);
  v.observe(hb('cpu-2'), 0);
  v.observe(hb('cpu-2', { seq: 2 }), 3500);
  assert.equal(v.expire(3500), true, 'cpu-1 just went stale');
  assert.deepEqual(v.table(1, 3500).routes![0]!.candidates!.map((c) => c.executor_id), ['cpu-2']);
  assert.equal(v.executors(3500).find((e) => e.heartbeat.executor_id === 'cpu-1')!.state, 'STALE');
  assert.equal(v.observe(hb('cpu-2', { seq: 3, draining: true }), 4000), true);
  assert.equal(v.table(2, 4000).routes!.length, 0);
  v.expire(11_000);
  assert.equal(v.executors(11_000).some((e) => e.heartbeat.executor_id === 'cpu-1'), false);
  assert.equal(v.observe(hb('cpu-1', { seq: 9 }), 12_000), true, 'a returning executor changes the table');
});

test('an out-of-order heartbeat from the same process is ignored; a restarted process is not', () => {
  const v = new ClusterView({ staleAfterMs: 3000, forgetAfterMs: 10000 });
  v.observe(hb('cpu-1', { seq: 5 }), 0);
  assert.equal(v.observe(hb('cpu-1', { seq: 4, draining: true }), 10), false);
  assert.equal(v.executors(10)[0]!.state, 'HEALTHY');
  assert.equal(v.observe(hb('cpu-1', { seq: 1, started_at_ms: 2, draining: true }), 20), true);
});

test('versions compare numerically', () => {
  assert.ok(compareVersions('10', '9') > 0);
  assert.ok(compareVersions('b', 'a') > 0);
});

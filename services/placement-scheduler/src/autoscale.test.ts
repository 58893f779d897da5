import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Heartbeat__Output } from '@switchyard/proto';
import { PoolScaler, poolLoad } from './autoscale.ts';
import { kedaImplementation, metricNameOf } from './keda.ts';

function hb(id: string, rps: number, ms: number): Heartbeat__Output {
  return {
    executor_id: id, pool: 'POOL_CPU', region: 'local', address: '127.0.0.1:1', device: null, in_flight: 0, queue_depth: 0, utilization: 0, cost_per_hour: 0.4,
    seq: 1, sent_at_ms: 0, started_at_ms: 1, draining: false, version: '0', spiffe_id: '',
    models: [{ name: 'm', version: '1', state: 'READY', reason: '', queue_depth: 0, in_flight: 0, service_times: [{ batch_size: 1, ms }, { batch_size: 8, ms: ms * 3 }], throughput_rps: rps, success_count: 0, error_count: 0, max_batch_size: 8, variant: '' }],
  };
}

test('poolLoad: arrivals are the summed throughput; service time is throughput-weighted at the smallest batch', () => {
  const l = poolLoad([hb('a', 10, 50), hb('b', 30, 100)]);
  assert.equal(l.rate, 40);
  assert.equal(l.serviceMs, (10 * 50 + 30 * 100) / 40);
  assert.ok(Number.isNaN(poolLoad([hb('a', 0, 50)]).serviceMs));
});

test('PoolScaler: saturation asks for more replicas at once; idle comes back to the minimum after the downscale stabilization', () => {
  const s = new PoolScaler({ pool: 'POOL_CPU', minReplicas: 1, maxReplicas: 3, sloMs: 500, startupSeconds: 2, forecastStepS: 1, syncPeriodS: 1, downscaleStabilizationS: 3, targetQuantile: 0.5 });
  let t = 0;
  assert.equal(s.step(t, [hb('a', 0, 50)], 1).desired, 1);
  const up = s.step((t += 1000), [hb('a', 19, 50)], 1); // 19 req/s at 20 req/s per replica: over the 0.85 cap
  assert.equal(up.desired, 2);
  assert.match(up.reason, /^scale up/);
  assert.equal(s.last.observedRate, 19);
  assert.equal(s.last.serviceRate, 20);
  const seen: number[] = [];
  for (let i = 0; i < 8; i++) seen.push(s.step((t += 1000), [hb('a', 0, 50), hb('b', 0, 50)], 2).desired);
  assert.equal(seen[0], 2, 'held by the downscale stabilization first');
  assert.equal(seen[seen.length - 1], 1);
});

test('KEDA implementation: metric = desired replicas of the pool; bad pool is INVALID_ARGUMENT', async () => {
  const s = new PoolScaler({ pool: 'POOL_CPU', minReplicas: 1, maxReplicas: 3, sloMs: 500, startupSeconds: 0, syncPeriodS: 1, forecastStepS: 1 });
  s.step(0, [hb('a', 35, 50)], 1);
  const impl = kedaImplementation({ state: (p) => (p === 'POOL_CPU' ? s.last : undefined), onStep: () => () => {} });
  const call = <T>(m: string, request: unknown) => new Promise<{ err: unknown; res: T }>((resolve) => (impl[m] as (c: unknown, cb: (e: unknown, r: T) => void) => void)({ request }, (err, res) => resolve({ err, res })));
  const ref = { name: 'x', namespace: 'y', scalerMetadata: { pool: 'cpu' } };
  const r = await call<{ metricValues: Array<{ metricName: string; metricValueFloat: number }> }>('GetMetrics', { scaledObjectRef: ref, metricName: '' });
  assert.equal(r.res.metricValues[0]!.metricName, metricNameOf('POOL_CPU'));
  assert.equal(r.res.metricValues[0]!.metricValueFloat, s.last.desired);
  assert.ok(s.last.desired >= 2);
  assert.equal((await call<{ result: boolean }>('IsActive', ref)).res.result, true);
  const bad = await call('IsActive', { ...ref, scalerMetadata: {} });
  assert.equal((bad.err as { code: number }).code, 3);
});

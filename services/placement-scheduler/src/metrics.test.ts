import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testMeter, sampleValue } from '@switchyard/otel/testing';
import { poolLabel, publishTrigger, registerSchedulerMetrics } from './metrics.ts';
import type { PoolScalingState } from './autoscale.ts';

test('publish reasons map to a bounded trigger label', () => {
  assert.equal(publishTrigger('start'), 'start');
  assert.equal(publishTrigger('periodic'), 'periodic');
  assert.equal(publishTrigger('executor cpu-1 changed'), 'executor');
  assert.equal(publishTrigger('ejection: EJECT cpu-2, RESTORE gpu-1'), 'ejection');
  assert.equal(publishTrigger('canary rollback mlp@2'), 'canary');
  assert.equal(publishTrigger('something new'), 'other');
  assert.equal(poolLabel('POOL_GPU'), 'gpu');
  assert.equal(poolLabel('POOL_CPU'), 'cpu');
  assert.equal(poolLabel('POOL_UNSPECIFIED'), 'unspecified');
});

test('exported: ejections by executor, pool and action; table publishes by trigger; autoscaler replicas per pool', async () => {
  const tm = testMeter('placement-scheduler');
  const state = (pool: 'POOL_CPU' | 'POOL_GPU', desired: number, current: number): PoolScalingState => ({
    pool, desired, current, ready: current, observedRate: 0, forecastRate: 0, serviceRate: 0, reason: '', minReplicas: 1, maxReplicas: 4, decidedAtMs: 1,
  });
  const pools = [state('POOL_CPU', 3, 2), state('POOL_GPU', 1, 1)];
  const m = registerSchedulerMetrics(tm.meter, { pools: () => pools });
  m.ejection({ executorId: 'cpu-2', pool: 'POOL_CPU', action: 'EJECT' });
  m.ejection({ executorId: 'cpu-2', pool: 'POOL_CPU', action: 'RESTORE' });
  m.ejection({ executorId: 'cpu-2', pool: 'POOL_CPU', action: 'EJECT' });
  for (const r of ['start', 'periodic', 'periodic', 'executor cpu-1 changed', 'ejection: EJECT cpu-2']) m.tablePublished(r);
  let text = await tm.scrape();
  assert.equal(sampleValue(text, 'switchyard_scheduler_ejections_total', { executor: 'cpu-2', pool: 'cpu', action: 'EJECT' }), 2);
  assert.equal(sampleValue(text, 'switchyard_scheduler_ejections_total', { executor: 'cpu-2', pool: 'cpu', action: 'RESTORE' }), 1);
  assert.equal(sampleValue(text, 'switchyard_scheduler_table_publishes_total', { trigger: 'periodic' }), 2);
  assert.equal(sampleValue(text, 'switchyard_scheduler_table_publishes_total', { trigger: 'start' }), 1);
  assert.equal(sampleValue(text, 'switchyard_scheduler_table_publishes_total', { trigger: 'executor' }), 1);
  assert.equal(sampleValue(text, 'switchyard_scheduler_table_publishes_total', { trigger: 'ejection' }), 1);
  assert.equal(sampleValue(text, 'switchyard_autoscaler_desired_replicas', { pool: 'cpu' }), 3);
  assert.equal(sampleValue(text, 'switchyard_autoscaler_current_replicas', { pool: 'cpu' }), 2);
  assert.equal(sampleValue(text, 'switchyard_autoscaler_desired_replicas', { pool: 'gpu' }), 1);
  // The gauges read the autoscaler's latest state at every scrape.
  pools[0] = state('POOL_CPU', 4, 3);
  text = await tm.scrape();
  assert.equal(sampleValue(text, 'switchyard_autoscaler_desired_replicas', { pool: 'cpu' }), 4);
  await tm.shutdown();
});

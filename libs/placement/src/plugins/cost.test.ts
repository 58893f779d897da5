import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costScore } from './cost.ts';
import { cand, ctxWith, request } from '../fixtures.ts';

test('cost: raw value is cost per request (rate x executor seconds / 3600), min is best', () => {
  const s = costScore();
  assert.equal(s.normalize, 'min-is-best');
  const v = s.score(request(), cand({ executor_id: 'a', cost_per_hour: 3.6, service_times: [{ batch_size: 1, ms: 100 }] }), ctxWith());
  assert.ok(Math.abs(v.value - 1e-4) < 1e-15);
  const gpu = s.score(request(), cand({ executor_id: 'g', pool: 'POOL_GPU', cost_per_hour: 2, service_times: [{ batch_size: 1, ms: 2 }] }), ctxWith());
  const cpu = s.score(request(), cand({ executor_id: 'c', cost_per_hour: 0.2, service_times: [{ batch_size: 1, ms: 40 }] }), ctxWith());
  assert.ok(gpu.value < cpu.value, 'a fast expensive GPU can be cheaper per request');
});

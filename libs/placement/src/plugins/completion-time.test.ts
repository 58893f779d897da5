import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completionTimeScore } from './completion-time.ts';
import { cand, ctxWith, request } from '../fixtures.ts';

test('completion-time: raw value is the predicted completion, min is best', () => {
  const s = completionTimeScore(2);
  assert.equal(s.normalize, 'min-is-best');
  assert.equal(s.weight, 2);
  const idle = s.score(request(), cand({ executor_id: 'a', service_times: [{ batch_size: 1, ms: 12 }] }), ctxWith());
  assert.equal(idle.value, 12);
  const busy = s.score(request(), cand({ executor_id: 'b', service_times: [{ batch_size: 1, ms: 12 }], queue_depth: 4 }), ctxWith());
  assert.ok(busy.value > idle.value);
  assert.match(idle.detail!, /predicted 12\.0 ms/);
});

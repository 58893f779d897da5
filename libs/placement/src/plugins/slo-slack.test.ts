import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sloSlackScore } from './slo-slack.ts';
import { cand, ctxWith, request } from '../fixtures.ts';

test('slo-slack: deadline minus predicted, max is best; 0 without a deadline', () => {
  const s = sloSlackScore();
  assert.equal(s.normalize, 'max-is-best');
  const c = cand({ executor_id: 'a', service_times: [{ batch_size: 1, ms: 15 }] });
  assert.equal(s.score(request({ deadlineMs: 50 }), c, ctxWith()).value, 35);
  assert.equal(s.score(request({ deadlineMs: 10 }), c, ctxWith()).value, -5);
  assert.equal(s.score(request(), c, ctxWith()).value, 0);
});

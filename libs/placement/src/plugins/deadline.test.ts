import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadlineFilter } from './deadline.ts';
import { cand, ctxWith, request } from '../fixtures.ts';

const f = deadlineFilter();
const ctx = ctxWith();
const c = cand({ executor_id: 'a', service_times: [{ batch_size: 1, ms: 10 }, { batch_size: 8, ms: 40 }], queue_depth: 8, max_batch_size: 8 });
// load 8 -> wait 40, batch 8 -> 40: predicted 80 ms

test('deadline: passes without a deadline', () => {
  assert.equal(f.filter(request(), c, ctx).ok, true);
});

test('deadline: predicted completion must fit the remaining budget', () => {
  assert.equal(f.check!(request({ deadlineMs: 80 }), c, ctx), true);
  const r = f.filter(request({ deadlineMs: 79 }), c, ctx);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : '', /predicted 80\.0 ms > deadline 79\.0 ms/);
  assert.equal(f.check!(request({ deadlineMs: 0 }), cand({ executor_id: 'b' }), ctx), false);
  assert.equal(f.failCode, 'DEADLINE_EXCEEDED');
});

test('deadline: explainFailure names the best predicted time vs the deadline', () => {
  const fast = cand({ executor_id: 'fast', service_times: [{ batch_size: 1, ms: 30 }] });
  const msg = f.explainFailure!(request({ deadlineMs: 20 }), [c, fast], ctx);
  assert.match(msg, /best predicted 30\.0 ms \(fast, POOL_CPU\) > deadline 20\.0 ms/);
});

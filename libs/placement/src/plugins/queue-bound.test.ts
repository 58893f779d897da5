import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queueBoundFilter, queueBoundOf } from './queue-bound.ts';
import { cand, ctxWith, request } from '../fixtures.ts';

const ctx = ctxWith();

test('queue-bound: default bound is 8 x max_batch_size', () => {
  const f = queueBoundFilter();
  assert.equal(queueBoundOf(cand({ executor_id: 'a', max_batch_size: 4 })), 32);
  assert.equal(queueBoundOf(cand({ executor_id: 'a', max_batch_size: 0 })), 8);
  assert.equal(f.check!(request(), cand({ executor_id: 'a', max_batch_size: 4, queue_depth: 31 }), ctx), true);
  const r = f.filter(request(), cand({ executor_id: 'a', max_batch_size: 4, queue_depth: 32 }), ctx);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : '', /queue depth 32 >= bound 32/);
  assert.equal(f.failCode, 'RESOURCE_EXHAUSTED');
});

test('queue-bound: factor is configurable', () => {
  const f = queueBoundFilter({ factor: 2 });
  assert.equal(f.check!(request(), cand({ executor_id: 'a', max_batch_size: 4, queue_depth: 8 }), ctx), false);
  assert.equal(f.check!(request(), cand({ executor_id: 'a', max_batch_size: 4, queue_depth: 7 }), ctx), true);
});

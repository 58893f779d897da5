import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthyFilter } from './healthy.ts';
import { cand, ctxWith, request } from '../fixtures.ts';

const f = healthyFilter();
const ctx = ctxWith();

test('healthy: passes a healthy, non-excluded executor', () => {
  assert.deepEqual(f.filter(request(), cand({ executor_id: 'a' }), ctx), { ok: true });
  assert.equal(f.check!(request(), cand({ executor_id: 'a' }), ctx), true);
});

test('healthy: rejects unhealthy and excluded executors, with the reason', () => {
  const sick = f.filter(request(), cand({ executor_id: 'a', healthy: false }), ctx);
  assert.equal(sick.ok, false);
  assert.match(!sick.ok ? sick.reason : '', /not healthy/);
  const ex = f.filter(request({ exclude: new Set(['a']) }), cand({ executor_id: 'a' }), ctx);
  assert.equal(ex.ok, false);
  assert.match(!ex.ok ? ex.reason : '', /excluded/);
  assert.equal(f.check!(request({ exclude: new Set(['a']) }), cand({ executor_id: 'a' }), ctx), false);
  assert.equal(f.check!(request({ exclude: new Set(['b']) }), cand({ executor_id: 'a' }), ctx), true);
  assert.equal(f.failCode, 'UNAVAILABLE');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { warmScore } from './warm.ts';
import { cand, ctxWith, request } from '../fixtures.ts';

test('warm: service-time samples mean warm (100), none mean cold (0)', () => {
  const s = warmScore();
  assert.equal(s.normalize, 'none');
  assert.equal(s.score(request(), cand({ executor_id: 'a' }), ctxWith()).value, 100);
  const cold = s.score(request(), cand({ executor_id: 'b', service_times: [] }), ctxWith());
  assert.equal(cold.value, 0);
  assert.match(cold.detail!, /cold/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poolPreferenceFilter } from './pool-preference.ts';
import { cand, ctxWith, request } from '../fixtures.ts';

const f = poolPreferenceFilter();
const ctx = ctxWith();
const gpu = cand({ executor_id: 'g', pool: 'POOL_GPU' });
const cpu = cand({ executor_id: 'c', pool: 'POOL_CPU' });
const fallback = cand({ executor_id: 'f', pool: 'POOL_GPU', cpu_fallback: true });
const unknown = cand({ executor_id: 'u', pool: 'POOL_UNSPECIFIED' });

test('pool-preference: auto keeps both pools, not an unknown pool', () => {
  assert.equal(f.check!(request({ poolPreference: 'auto' }), gpu, ctx), true);
  assert.equal(f.check!(request({ poolPreference: 'auto' }), cpu, ctx), true);
  assert.equal(f.filter(request({ poolPreference: 'auto' }), unknown, ctx).ok, false);
});

test('pool-preference: gpu keeps the GPU pool, including a GPU executor in explicit CPU fallback', () => {
  assert.equal(f.filter(request({ poolPreference: 'gpu' }), gpu, ctx).ok, true);
  const r = f.filter(request({ poolPreference: 'gpu' }), cpu, ctx);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : '', /POOL_CPU does not match pool preference gpu/);
  assert.equal(f.filter(request({ poolPreference: 'gpu' }), fallback, ctx).ok, true);
  assert.equal(f.check!(request({ poolPreference: 'cpu' }), fallback, ctx), false);
});

test('pool-preference: cpu keeps the CPU pool', () => {
  assert.equal(f.check!(request({ poolPreference: 'cpu' }), cpu, ctx), true);
  assert.equal(f.check!(request({ poolPreference: 'cpu' }), gpu, ctx), false);
});

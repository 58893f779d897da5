import { test } from 'node:test';
import assert from 'node:assert/strict';
import { regionFilter, regionMatches } from './region.ts';
import { cand, ctxWith, request } from '../fixtures.ts';

const f = regionFilter();
const ctx = ctxWith();
const at = (region: string) => cand({ executor_id: region, region });

test('regionMatches: prefix rule is "x" or "x-*"', () => {
  assert.equal(regionMatches('ae', 'ae'), true);
  assert.equal(regionMatches('ae', 'ae-dubai-1'), true);
  assert.equal(regionMatches('ae', 'aex-1'), false);
  assert.equal(regionMatches('ae', 'eu-ae'), false);
  assert.equal(regionMatches('ae', 'a'), false);
  assert.equal(regionMatches('', 'anything'), true);
});

test('region: request region prefix', () => {
  assert.equal(f.filter(request({ region: 'ae' }), at('ae-1'), ctx).ok, true);
  const r = f.filter(request({ region: 'ae' }), at('eu-west'), ctx);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : '', /prefix 'ae'/);
  assert.equal(f.check!(request({ region: 'ae' }), at('eu-west'), ctx), false);
  assert.equal(f.check!(request({ region: 'ae' }), at(''), ctx), false);
  assert.equal(f.check!(request(), at('eu-west'), ctx), true);
});

test('region: allowed regions (residency) use the same prefix rule', () => {
  const req = request({ allowedRegions: ['eu', 'ch'] });
  assert.equal(f.check!(req, at('eu-west'), ctx), true);
  assert.equal(f.check!(req, at('ch'), ctx), true);
  const r = f.filter(req, at('us-east'), ctx);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : '', /allowed regions \[eu, ch\]/);
  assert.equal(f.check!(request({ region: 'eu', allowedRegions: ['ch'] }), at('eu-west'), ctx), false);
  assert.equal(f.failCode, 'FAILED_PRECONDITION');
});

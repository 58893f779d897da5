import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexTable } from './route-index.ts';
import { cand } from './fixtures.ts';
import type { PlacementTable__Output } from '@switchyard/proto';

const table: PlacementTable__Output = {
  version: 42,
  generated_at_ms: 1000,
  routes: [
    { model_name: 'resnet', model_version: '1', candidates: [cand({ executor_id: 'a', region: 'eu-west' }), cand({ executor_id: 'b', region: 'ae-1' })] },
    { model_name: 'resnet', model_version: '2', candidates: [cand({ executor_id: 'c', region: 'ae' }), cand({ executor_id: 'd', region: 'aex' })] },
    { model_name: 'bert', model_version: '7', candidates: [cand({ executor_id: 'e' })] },
  ],
  latest_versions: { resnet: '2', bert: '7' },
};

test('RouteIndex: routes per (model, version), latest version, empty version = latest', () => {
  const idx = indexTable(table);
  assert.equal(idx.version, 42);
  assert.deepEqual(idx.routeFor('resnet', '1')!.map((c) => c.executor_id), ['a', 'b']);
  assert.deepEqual(idx.routeFor('resnet', '')!.map((c) => c.executor_id), ['c', 'd']);
  assert.equal(idx.latestVersion('resnet'), '2');
  assert.equal(idx.latestVersion('nope'), undefined);
  assert.equal(idx.routeFor('resnet', '9'), undefined);
  assert.equal(idx.routeFor('nope', '1'), undefined);
  assert.deepEqual(idx.models().sort(), ['bert', 'resnet']);
  assert.deepEqual(idx.versions('resnet').sort(), ['1', '2']);
});

test('RouteIndex: region-narrowed candidates use the prefix rule and are memoised', () => {
  const idx = indexTable(table);
  const ae = idx.candidatesFor('resnet', '2', 'ae')!;
  assert.deepEqual(ae.map((c) => c.executor_id), ['c']);
  assert.equal(idx.candidatesFor('resnet', '2', 'ae'), ae);
  assert.deepEqual(idx.candidatesFor('resnet', '1', 'ae')!.map((c) => c.executor_id), ['b']);
  assert.equal(idx.candidatesFor('resnet', '1')!.length, 2);
  assert.equal(idx.candidatesFor('x', '1', 'ae'), undefined);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Placer, indexTable } from '@switchyard/placement';
import type { Candidate } from '@switchyard/placement';
import { codec } from '@switchyard/proto';
import type { Explanation, Explanation__Output, PlacementTable__Output, PlaceRequest__Output } from '@switchyard/proto';
import { toExplanation, toPlacementRequest, toPlaceResponse } from './convert.ts';

const base = { address: '127.0.0.1:1', region: 'local', spiffe_id: '', in_flight: 0, healthy: true, cpu_fallback: false, max_batch_size: 1 };
const gpu: Candidate = { ...base, executor_id: 'gpu-1', pool: 'POOL_GPU', queue_depth: 5, service_times: [{ batch_size: 1, ms: 20 }], cost_per_hour: 0.1 };
const cpu: Candidate = { ...base, executor_id: 'cpu-1', pool: 'POOL_CPU', queue_depth: 0, service_times: [{ batch_size: 1, ms: 10 }], cost_per_hour: 0.4 };
const table: PlacementTable__Output = { version: 7, generated_at_ms: 0, routes: [{ model_name: 'm', model_version: '1', candidates: [cpu, gpu] }], latest_versions: { m: '1' } };
const placeReq = (over: Partial<PlaceRequest__Output>): PlaceRequest__Output => ({ model_name: 'm', model_version: '', region: '', pool_preference: '', deadline_us: 0, priority: 0, exclude_executor_ids: [], ...over });

test('Explain: a tight deadline moves the request off the saturated cheap GPU, and says why with numbers', () => {
  const index = indexTable(table);
  const preq = toPlacementRequest(placeReq({ deadline_us: 100_000 }), index);
  assert.equal(preq.version, '1');
  assert.equal(preq.deadlineMs, 100);
  const cands = index.routeFor('m', '1')!;
  const ctx = { nowMs: 0, random: () => 0 };
  const e = toExplanation(new Placer().explain(preq, cands, ctx), 7, '1', cands, ctx);
  // It must survive the wire.
  const c = codec<Explanation, Explanation__Output>('switchyard.scheduler.v1.Explanation');
  const wire = c.decode(c.encode(e));
  assert.equal(wire.decision!.executor_id, 'cpu-1');
  assert.equal(wire.decision!.predicted_ms, 10);
  assert.ok(wire.decision!.cost_per_request > 0);
  assert.match(wire.decision!.reason, /deadline/);
  const g = wire.candidates.find((x) => x.executor_id === 'gpu-1')!;
  assert.equal(g.feasible, false);
  assert.equal(g.chosen, false);
  assert.equal(g.predicted_ms, 120); // 5 queued x 20 ms + 20 ms
  assert.ok(g.verdicts.some((v) => v.plugin === 'deadline' && !v.passed && /predicted 120 ms > deadline 100 ms/.test(v.reason)));
  assert.equal(wire.candidates.find((x) => x.executor_id === 'cpu-1')!.chosen, true);
});

test('Place: without a deadline the cheaper pool; a refusal carries its code', () => {
  const index = indexTable(table);
  const cands = index.routeFor('m', '1')!;
  const placer = new Placer();
  const ok = toPlaceResponse(placer.decide(toPlacementRequest(placeReq({}), index), cands, { nowMs: 0, random: () => 0 }), 7, '1');
  assert.equal(ok.executor_id, 'gpu-1', 'gpu 0.1/h x 20 ms is cheaper than cpu 0.4/h x 10 ms');
  assert.equal(ok.code, '');
  const no = toPlaceResponse(placer.decide(toPlacementRequest(placeReq({ deadline_us: 1000 }), index), cands, { nowMs: 0, random: () => 0 }), 7, '1');
  assert.equal(no.placed, false);
  assert.equal(no.code, 'DEADLINE_EXCEEDED');
  assert.equal(no.predicted_ms, 10);
});

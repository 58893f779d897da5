import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Placer } from './placer.ts';
import { defaultProfile } from './profile.ts';
import { cand, ctxWith, request, seeded } from './fixtures.ts';
import type { Candidate, FilterPlugin } from './types.ts';

const placer = new Placer();

// A GPU that is cheaper per request (fast, batches) but saturated: 48 ahead -> ~56 ms predicted.
const saturatedGpu = cand({
  executor_id: 'gpu-1', pool: 'POOL_GPU', cost_per_hour: 1.0, max_batch_size: 8,
  service_times: [{ batch_size: 1, ms: 2 }, { batch_size: 8, ms: 8 }], queue_depth: 40, in_flight: 8,
});
const idleCpu = cand({ executor_id: 'cpu-1', pool: 'POOL_CPU', cost_per_hour: 0.5, max_batch_size: 1, service_times: [{ batch_size: 1, ms: 10 }] });

test('rule: tight deadline + saturated GPU -> CPU (GPU would win without the deadline)', () => {
  const d = placer.decide(request({ deadlineMs: 30 }), [saturatedGpu, idleCpu], ctxWith());
  assert.equal(d.placed, true);
  assert.equal(d.pool, 'POOL_CPU');
  assert.equal(d.candidate?.executor_id, 'cpu-1');
  assert.equal(d.predictedMs, 10);
  assert.match(d.reason, /cheapest pool meeting deadline: cpu \(predicted 10\.0 ms <= 30\.0 ms; the only feasible pool\)/);
  const free = placer.decide(request(), [saturatedGpu, idleCpu], ctxWith());
  assert.equal(free.pool, 'POOL_GPU', 'without a deadline the GPU is cheaper per request');
});

test('rule: loose deadline + cheaper CPU -> CPU', () => {
  const gpu = cand({ executor_id: 'gpu-1', pool: 'POOL_GPU', cost_per_hour: 3, service_times: [{ batch_size: 1, ms: 2 }] });
  const cpu = cand({ executor_id: 'cpu-1', pool: 'POOL_CPU', cost_per_hour: 0.1, service_times: [{ batch_size: 1, ms: 10 }] });
  const d = placer.decide(request({ deadlineMs: 100 }), [gpu, cpu], ctxWith());
  assert.equal(d.pool, 'POOL_CPU');
  assert.ok(d.costPerRequest! < 1e-6);
  assert.ok(Math.abs(d.costPerRequest! - (0.1 * 0.01) / 3600) < 1e-15);
});

test('rule: no deadline + GPU cheaper per request -> GPU', () => {
  const gpu = cand({ executor_id: 'gpu-1', pool: 'POOL_GPU', cost_per_hour: 2, service_times: [{ batch_size: 1, ms: 2 }] });
  const cpu = cand({ executor_id: 'cpu-1', pool: 'POOL_CPU', cost_per_hour: 0.2, service_times: [{ batch_size: 1, ms: 40 }] });
  const d = placer.decide(request(), [cpu, gpu], ctxWith());
  assert.equal(d.pool, 'POOL_GPU');
  assert.equal(d.candidate?.executor_id, 'gpu-1');
  assert.match(d.reason, /cheapest pool: gpu/);
});

test('rule: equal cost per request -> the faster pool', () => {
  const gpu = cand({ executor_id: 'gpu-1', pool: 'POOL_GPU', cost_per_hour: 0, service_times: [{ batch_size: 1, ms: 2 }] });
  const cpu = cand({ executor_id: 'cpu-1', pool: 'POOL_CPU', cost_per_hour: 0, service_times: [{ batch_size: 1, ms: 9 }] });
  const d = placer.decide(request(), [cpu, gpu], ctxWith());
  assert.equal(d.pool, 'POOL_GPU');
  assert.match(d.reason, /faster pool/);
});

test('rule: region prefix "ae" never selects eu-* (even when eu is cheaper)', () => {
  const cands: Candidate[] = [
    cand({ executor_id: 'eu-1', region: 'eu-west', cost_per_hour: 0.01 }),
    cand({ executor_id: 'eu-2', region: 'eu-ae', cost_per_hour: 0.01 }),
    cand({ executor_id: 'aex-1', region: 'aex-1', cost_per_hour: 0.01 }),
    cand({ executor_id: 'ae-1', region: 'ae-dubai-1', cost_per_hour: 1 }),
    cand({ executor_id: 'ae-2', region: 'ae', cost_per_hour: 1, pool: 'POOL_GPU' }),
  ];
  const rnd = seeded(7);
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const d = placer.decide(request({ region: 'ae' }), cands, { nowMs: 0, random: rnd });
    assert.equal(d.placed, true);
    assert.match(d.candidate!.region, /^ae(-|$)/);
    seen.add(d.candidate!.executor_id);
  }
  assert.ok(seen.size >= 1);
  const none = placer.decide(request({ region: 'ae' }), cands.slice(0, 3), ctxWith());
  assert.equal(none.placed, false);
  assert.equal(none.code, 'FAILED_PRECONDITION');
  assert.match(none.reason, /region prefix 'ae'/);
  assert.match(none.reason, /eu-west/);
});

test('p2c: picks the less loaded of the two drawn (table in_flight + queue_depth)', () => {
  const cands = [
    cand({ executor_id: 'a', in_flight: 5 }),
    cand({ executor_id: 'b', in_flight: 1 }),
    cand({ executor_id: 'c', in_flight: 7, queue_depth: 2 }),
  ];
  // draws: a = floor(0*3)=0; b = floor(0.5*2)=1 -> >= a -> 2: a(5) vs c(9) -> a
  assert.equal(placer.decide(request(), cands, ctxWith([0, 0.5])).candidate?.executor_id, 'a');
  // a = 0; b = 0 -> 1: a(5) vs b(1) -> b
  assert.equal(placer.decide(request(), cands, ctxWith([0, 0])).candidate?.executor_id, 'b');
  // a = floor(0.9*3) = 2 (c, 9); b = 0 (a, 5) -> a
  assert.equal(placer.decide(request(), cands, ctxWith([0.9, 0])).candidate?.executor_id, 'a');
});

test('p2c: uses the caller\'s live in-flight counts when given', () => {
  const cands = [cand({ executor_id: 'a', in_flight: 0 }), cand({ executor_id: 'b', in_flight: 50 })];
  const live = new Map([['a', 9], ['b', 2]]);
  const d = placer.decide(request(), cands, ctxWith([0, 0], { live: { inFlight: (id) => live.get(id) ?? 0 } }));
  assert.equal(d.candidate?.executor_id, 'b');
  // p2c spreads: over many draws both are used but the less loaded wins each pair
  const rnd = seeded(1);
  const counts = new Map<string, number>();
  const three = [...cands, cand({ executor_id: 'c', in_flight: 0 })];
  const live3 = new Map([['a', 0], ['b', 10], ['c', 5]]);
  for (let i = 0; i < 3000; i++) {
    const id = placer.decide(request(), three, { nowMs: 0, random: rnd, live: { inFlight: (x) => live3.get(x) ?? 0 } }).candidate!.executor_id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  assert.equal(counts.get('b') ?? 0, 0, 'the most loaded of three never wins a pair');
  assert.ok((counts.get('a') ?? 0) > (counts.get('c') ?? 0));
});

test('excluded executor is never chosen; all excluded/unhealthy -> UNAVAILABLE', () => {
  const cands = [cand({ executor_id: 'a' }), cand({ executor_id: 'b', in_flight: 100 })];
  const rnd = seeded(3);
  for (let i = 0; i < 300; i++) {
    const d = placer.decide(request({ exclude: new Set(['a']) }), cands, { nowMs: 0, random: rnd });
    assert.equal(d.candidate?.executor_id, 'b');
  }
  const d = placer.decide(request({ exclude: new Set(['a']) }), [cands[0]!, cand({ executor_id: 'c', healthy: false })], ctxWith());
  assert.equal(d.placed, false);
  assert.equal(d.code, 'UNAVAILABLE');
  assert.match(d.reason, /1 unhealthy, 1 excluded/);
});

test('codes: NOT_FOUND without candidates', () => {
  const d = placer.decide(request({ model: 'resnet', version: '3' }), [], ctxWith());
  assert.equal(d.placed, false);
  assert.equal(d.code, 'NOT_FOUND');
  assert.match(d.reason, /'resnet' version '3'/);
});

test('codes: DEADLINE_EXCEEDED names the best predicted time vs the deadline', () => {
  const d = placer.decide(request({ deadlineMs: 5 }), [saturatedGpu, idleCpu], ctxWith());
  assert.equal(d.placed, false);
  assert.equal(d.code, 'DEADLINE_EXCEEDED');
  assert.equal(d.predictedMs, 10);
  assert.match(d.reason, /best predicted 10\.0 ms \(cpu-1, POOL_CPU\) > deadline 5\.00 ms/);
});

test('codes: RESOURCE_EXHAUSTED when every executor is over its queue bound; region wins over health', () => {
  const full = cand({ executor_id: 'a', queue_depth: 64, max_batch_size: 8 });
  const d = placer.decide(request(), [full], ctxWith());
  assert.equal(d.code, 'RESOURCE_EXHAUSTED');
  const mixed = [cand({ executor_id: 'x', region: 'eu-west', healthy: false }), cand({ executor_id: 'y', region: 'us-east' })];
  assert.equal(placer.decide(request({ region: 'ae' }), mixed, ctxWith()).code, 'FAILED_PRECONDITION');
  assert.equal(placer.decide(request({ region: 'eu' }), mixed, ctxWith()).code, 'UNAVAILABLE');
});

test('codes: pool preference with no executor in that pool -> FAILED_PRECONDITION', () => {
  const d = placer.decide(request({ poolPreference: 'gpu' }), [idleCpu], ctxWith());
  assert.equal(d.code, 'FAILED_PRECONDITION');
  assert.match(d.reason, /preferred pool \(gpu\)/);
});

test('explain: every plugin\'s verdict per candidate, and the same decision as decide', () => {
  const cands = [
    saturatedGpu,
    idleCpu,
    cand({ executor_id: 'cpu-2', in_flight: 1, cost_per_hour: 0.5, max_batch_size: 1 }),
    cand({ executor_id: 'cpu-eu', region: 'us-east' }),
    cand({ executor_id: 'cpu-sick', healthy: false }),
  ];
  const req = request({ deadlineMs: 30, region: 'eu' });
  const profile = defaultProfile();
  const names = [...profile.filters, ...profile.scores].map((p) => p.name);
  for (let seed = 1; seed <= 20; seed++) {
    const d = placer.decide(req, cands, { nowMs: 0, random: seeded(seed) });
    const e = placer.explain(req, cands, { nowMs: 0, random: seeded(seed) });
    assert.equal(e.placed, d.placed);
    assert.equal(e.candidate?.executor_id, d.candidate?.executor_id);
    assert.equal(e.pool, d.pool);
    assert.equal(e.reason, d.reason);
    assert.equal(e.candidates.length, cands.length);
    for (const row of e.candidates) assert.deepEqual(row.verdicts.map((v) => v.plugin), names);
  }
  const e = placer.explain(req, cands, ctxWith());
  const byId = new Map(e.candidates.map((r) => [r.executorId, r]));
  assert.deepEqual([...byId.values()].filter((r) => r.feasible).map((r) => r.executorId).sort(), ['cpu-1', 'cpu-2']);
  const gpuRow = byId.get('gpu-1')!;
  const dl = gpuRow.verdicts.find((v) => v.plugin === 'deadline')!;
  assert.equal(dl.passed, false);
  assert.match(dl.reason, /> deadline 30\.0 ms/);
  assert.equal(gpuRow.total, 0);
  assert.equal(byId.get('cpu-eu')!.verdicts.find((v) => v.plugin === 'region')!.passed, false);
  assert.equal(byId.get('cpu-sick')!.verdicts.find((v) => v.plugin === 'healthy')!.passed, false);
  // idle cpu-1 beats loaded cpu-2 on completion time and slack: normalised 100 vs 0
  const ct = (id: string) => byId.get(id)!.verdicts.find((v) => v.plugin === 'completion-time')!.score;
  assert.equal(ct('cpu-1'), 100);
  assert.equal(ct('cpu-2'), 0);
  assert.ok(byId.get('cpu-1')!.total > byId.get('cpu-2')!.total);
  assert.ok(e.candidate!.executor_id.startsWith('cpu-'));
});

test('explain: the nothing-fits decision is reported with every candidate\'s verdicts', () => {
  const e = placer.explain(request({ deadlineMs: 5 }), [saturatedGpu, idleCpu], ctxWith());
  assert.equal(e.placed, false);
  assert.equal(e.code, 'DEADLINE_EXCEEDED');
  assert.ok(e.candidates.every((r) => !r.feasible && r.total === 0));
});

test('custom profile: a filter without a fast path and a custom score', () => {
  const onlyB: FilterPlugin = { name: 'only-b', filter: (_r, c) => (c.executor_id === 'b' ? { ok: true } : { ok: false, reason: 'not b' }) };
  const p = new Placer({ filters: [onlyB], scores: [{ name: 'const', weight: 2, normalize: 'none', score: () => ({ value: 3 }) }] });
  const cands = [cand({ executor_id: 'a' }), cand({ executor_id: 'b' })];
  assert.equal(p.decide(request(), cands, ctxWith()).candidate?.executor_id, 'b');
  const e = p.explain(request(), cands, ctxWith());
  assert.equal(e.candidates[1]!.total, 6);
  assert.equal(e.candidates[0]!.verdicts[0]!.reason, 'not b');
  const none = p.decide(request(), [cands[0]!], ctxWith());
  assert.equal(none.code, 'FAILED_PRECONDITION');
  assert.match(none.reason, /only-b.*not b/);
});

test('decide handles routes larger than its scratch buffers', () => {
  const many = Array.from({ length: 300 }, (_, i) => cand({ executor_id: `e${i}`, in_flight: i === 299 ? 0 : 5 }));
  const d = placer.decide(request(), many, ctxWith([0.999, 0.999]));
  assert.equal(d.placed, true);
  // draws index 299 and 298 -> 299 is less loaded
  assert.equal(d.candidate?.executor_id, 'e299');
});

test('p2c: a misbehaving random() cannot pick outside the feasible pool', () => {
  const cands = [cand({ executor_id: 'a' }), cand({ executor_id: 'b', healthy: false }), cand({ executor_id: 'c' })];
  for (const r of [NaN, -1, 1, 5]) {
    const d = placer.decide(request(), cands, { nowMs: 0, random: () => r });
    assert.equal(d.placed, true);
    assert.notEqual(d.candidate?.executor_id, 'b');
  }
});

test('slot limit: an executor at its slots for the model is passed over while another has room; cost decides among those with room', () => {
  // The fair-share case: the cheap CPU executor already runs the caller's one slot for the model;
  // the dearer GPU executor (in CPU fallback) is idle. Without the limit cost sends it to the busy CPU.
  const cheap = cand({ executor_id: 'cpu-1', pool: 'POOL_CPU', cost_per_hour: 0.4, max_batch_size: 32, service_times: [{ batch_size: 1, ms: 5 }] });
  const dear = cand({ executor_id: 'gpu-1', pool: 'POOL_GPU', cpu_fallback: true, cost_per_hour: 2.5, max_batch_size: 32, service_times: [{ batch_size: 1, ms: 5 }] });
  const perModel = new Map([['cpu-1', 1]]);
  const live = { inFlight: (id: string) => perModel.get(id) ?? 0, modelInFlight: (id: string) => perModel.get(id) ?? 0 };
  const ctx = ctxWith([], { live });
  assert.equal(placer.decide(request({ deadlineMs: 30_000 }), [cheap, dear], ctx).candidate?.executor_id, 'cpu-1', 'no limit: the cheaper pool, busy or not');
  const d = placer.decide(request({ deadlineMs: 30_000, slotsPerExecutor: 1 }), [cheap, dear], ctx);
  assert.equal(d.candidate?.executor_id, 'gpu-1');
  assert.equal(d.pool, 'POOL_GPU');
  assert.match(d.reason, /^cheapest pool meeting deadline: gpu \(predicted .* the only pool with a free slot; no free slot on cpu-1 \(1 per executor\)\)$/);
  // Room on the cheap executor again: cost decides.
  perModel.set('cpu-1', 0);
  assert.equal(placer.decide(request({ deadlineMs: 30_000, slotsPerExecutor: 1 }), [cheap, dear], ctx).candidate?.executor_id, 'cpu-1');
  // A larger limit: the cheap executor keeps taking requests up to it.
  perModel.set('cpu-1', 15);
  assert.equal(placer.decide(request({ slotsPerExecutor: 16 }), [cheap, dear], ctx).candidate?.executor_id, 'cpu-1');
  perModel.set('cpu-1', 16);
  assert.equal(placer.decide(request({ slotsPerExecutor: 16 }), [cheap, dear], ctx).candidate?.executor_id, 'gpu-1');
  // Only the model's own count matters (another model's requests on cpu-1 do not fill its slots).
  const other = { inFlight: () => 50, modelInFlight: () => 0 };
  assert.equal(placer.decide(request({ slotsPerExecutor: 1 }), [cheap, dear], ctxWith([], { live: other })).candidate?.executor_id, 'cpu-1');
});

test('slot limit: every feasible executor full -> the rule without the limit; a full executor never beats a filter; no live counts -> no effect', () => {
  const cheap = cand({ executor_id: 'cpu-1', cost_per_hour: 0.4 });
  const dear = cand({ executor_id: 'gpu-1', pool: 'POOL_GPU', cost_per_hour: 2.5 });
  const live = { inFlight: () => 1, modelInFlight: () => 1 };
  const d = placer.decide(request({ slotsPerExecutor: 1 }), [cheap, dear], ctxWith([], { live }));
  assert.equal(d.candidate?.executor_id, 'cpu-1');
  assert.doesNotMatch(d.reason, /free slot/);
  // Pinned to the GPU pool (pool preference): the full GPU executor still takes it.
  const pinned = placer.decide(request({ slotsPerExecutor: 1, poolPreference: 'gpu' }), [cheap, dear], ctxWith([], { live: { inFlight: () => 0, modelInFlight: (id) => (id === 'gpu-1' ? 1 : 0) } }));
  assert.equal(pinned.candidate?.executor_id, 'gpu-1');
  assert.match(pinned.reason, /the only feasible pool\)$/);
  // The idle executor that a filter rejects (unhealthy) is not used to escape a full one.
  const sick = cand({ executor_id: 'gpu-2', pool: 'POOL_GPU', cost_per_hour: 2.5, healthy: false });
  const full1 = { inFlight: () => 0, modelInFlight: (id: string) => (id === 'cpu-1' ? 1 : 0) };
  assert.equal(placer.decide(request({ slotsPerExecutor: 1 }), [cheap, sick], ctxWith([], { live: full1 })).candidate?.executor_id, 'cpu-1');
  // Without the caller's per-model counts (the scheduler's Place) the limit cannot apply.
  assert.equal(placer.decide(request({ slotsPerExecutor: 1 }), [cheap, dear], ctxWith([], { live: { inFlight: () => 1 } })).candidate?.executor_id, 'cpu-1');
  assert.equal(placer.decide(request({ slotsPerExecutor: 1 }), [cheap, dear], ctxWith()).candidate?.executor_id, 'cpu-1');
});

test('slot limit: p2c inside the pool only draws executors with room', () => {
  const cands = [cand({ executor_id: 'a' }), cand({ executor_id: 'b' }), cand({ executor_id: 'c' })];
  const perModel = new Map([['a', 2], ['b', 0], ['c', 2]]);
  // Total live load favours a and c (another model keeps b busy), but only b has a free slot.
  const live = { inFlight: (id: string) => (id === 'b' ? 9 : 2), modelInFlight: (id: string) => perModel.get(id) ?? 0 };
  const rnd = seeded(5);
  for (let i = 0; i < 200; i++) {
    const d = placer.decide(request({ slotsPerExecutor: 2 }), cands, { nowMs: 0, random: rnd, live });
    assert.equal(d.candidate?.executor_id, 'b');
    assert.match(d.reason, /no free slot on a, c \(2 per executor\)/);
  }
});

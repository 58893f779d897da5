import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StaticPolicy, ReactivePolicy } from '@switchyard/autoscaler';
import {
  EventHeap, arrivalsFromCounts, burstsOf, defaultPools, generateTrace, makePolicies, peakRate, rateAt, seededRandom, simulate,
  type PoolSpec,
} from './index.ts';

test('EventHeap pops in time order', () => {
  const h = new EventHeap(2);
  const rnd = seededRandom(3);
  const ts: number[] = [];
  for (let i = 0; i < 500; i++) { const t = Math.floor(rnd() * 1000); ts.push(t); h.push(t, i); }
  ts.sort((a, b) => a - b);
  const out: number[] = [];
  while (h.size) { out.push(h.topTime); h.pop(); }
  assert.deepEqual(out, ts);
  assert.equal(h.topTime, Infinity);
});

test('generateTrace: seeded, sorted, Poisson count near the integrated rate, bursts raise the rate', () => {
  const spec = { days: 0.25, baseRate: 20, dailyAmplitude: 0.5, trendPerDay: 0.2, bursts: { count: 2, multiplier: 3, durationS: 300 }, seed: 9 };
  const a = generateTrace(spec);
  const b = generateTrace(spec);
  assert.deepEqual(a, b);
  for (let i = 1; i < a.length; i++) assert.ok(a[i]! >= a[i - 1]!);
  const bursts = burstsOf(spec);
  let expected = 0;
  for (let s = 0; s < spec.days * 86_400; s++) expected += rateAt(spec, s, bursts);
  assert.ok(Math.abs(a.length - expected) < 5 * Math.sqrt(expected), `${a.length} vs ${expected}`);
  const bst = bursts[0]!;
  assert.equal(rateAt(spec, bst.startS + 1, bursts), 3 * rateAt({ ...spec, bursts: undefined }, bst.startS + 1));
  // daily shape: trough at 00:00, peak at 12:00
  assert.ok(rateAt({ ...spec, bursts: undefined }, 43_200) > 2.5 * rateAt({ ...spec, bursts: undefined }, 0));
  assert.notDeepEqual(generateTrace({ ...spec, seed: 10 }).slice(0, 5), a.slice(0, 5));
});

test('arrivalsFromCounts spreads each interval\'s count inside it', () => {
  const a = arrivalsFromCounts([{ t: 0, value: 3 }, { t: 60_000, value: 0 }, { t: 120_000, value: 2 }], 60_000, seededRandom(1));
  assert.equal(a.length, 5);
  assert.ok(a.slice(0, 3).every((t) => t >= 0 && t < 60_000));
  assert.ok(a.slice(3).every((t) => t >= 120_000 && t < 180_000));
});

function uniform(ratePerS: number, seconds: number): Float64Array {
  const n = Math.round(ratePerS * seconds);
  return Float64Array.from({ length: n }, (_, i) => (i * 1000) / ratePerS);
}

test('one idle-enough GPU: latency = service time, everything on GPU, cost = replicas x hours', () => {
  const pools = defaultPools(4, 2);
  const r = simulate({
    arrivals: uniform(2, 3600), ...pools, sloMs: 500, forecaster: null,
    policies: { gpu: new StaticPolicy({ replicas: 2 }), cpu: new StaticPolicy({ replicas: 1 }) },
  });
  assert.equal(r.requests, 7200);
  assert.equal(r.sloAttainment, 1);
  assert.equal(r.p50Ms, 200); // service(1) on the GPU
  assert.equal(r.spills, 0);
  assert.equal(r.pools.gpu.requests, 7200);
  assert.ok(Math.abs(r.pools.gpu.replicaHours - 2 * (r.simulatedSeconds / 3600)) < 1e-6);
  assert.ok(Math.abs(r.pools.cpu.cost - r.pools.cpu.replicaHours * 0.65) < 1e-9);
  assert.equal(r.series.arrivals.reduce((s, v) => s + v, 0), 7200);
  assert.equal(r.scalingEventCount, 0);
});

test('batching: an overloaded GPU forms batches; GPU full -> the Placer spills to CPU', () => {
  const pools = defaultPools(1, 4);
  pools.gpu.initialReplicas = 1;
  pools.cpu.initialReplicas = 4;
  const r = simulate({
    arrivals: uniform(12, 600), ...pools, sloMs: 700, forecaster: null,
    policies: { gpu: new StaticPolicy({ replicas: 1 }), cpu: new StaticPolicy({ replicas: 4 }) },
  });
  // 12 req/s > 5 req/s unbatched capacity: batches must form, else the queue would explode
  assert.ok(r.p99Ms < 5000, `p99 ${r.p99Ms}`);
  assert.ok(r.p50Ms > 200);
  assert.ok(r.spills > 0 && r.pools.cpu.requests === r.spills);
});

test('a slow start: new replicas are billed at once but serve only after startupS', () => {
  const pools = defaultPools(10, 1);
  pools.gpu.startupS = 300;
  pools.gpu.initialReplicas = 1;
  let calls = 0;
  const gpu = { name: 'step', step: () => ({ desired: ++calls >= 1 ? 5 : 1, reason: 'test', forecastRate: 0, spillRate: 0 }) };
  const r = simulate({ arrivals: uniform(1, 1200), ...pools, sloMs: 500, forecaster: null, policies: { gpu, cpu: new StaticPolicy({ replicas: 1 }) } });
  // 4 replicas started at t = 15 s: billed from then on
  const hours = r.simulatedSeconds / 3600;
  assert.ok(Math.abs(r.pools.gpu.replicaHours - (hours + (4 * (r.simulatedSeconds - 15)) / 3600)) < 1e-3);
  assert.equal(r.scalingEventCount, 1);
  assert.deepEqual([r.scalingEvents[0]!.from, r.scalingEvents[0]!.to], [1, 5]);
});

test('the three policies run end to end on a seasonal trace; predictive and reactive scale both ways', () => {
  const arrivals = generateTrace({ days: 0.25, baseRate: 10, dailyAmplitude: 0.8, bursts: { count: 1, multiplier: 2, durationS: 300 }, seed: 3 });
  const pools = defaultPools(32, 16);
  const out: Record<string, ReturnType<typeof simulate>> = {};
  for (const k of ['predictive', 'reactive', 'static'] as const) {
    out[k] = simulate({ arrivals, ...pools, sloMs: 500, policies: makePolicies(k, { sloMs: 500, ...pools, peakRate: peakRate(arrivals) }) });
  }
  for (const k of ['predictive', 'reactive'] as const) {
    const ev = out[k]!.scalingEvents.filter((e) => e.pool === 'gpu');
    assert.ok(ev.some((e) => e.to > e.from) && ev.some((e) => e.to < e.from), `${k} GPU events: ${ev.length}`);
  }
  assert.equal(out.static!.scalingEvents.filter((e) => e.pool === 'gpu' && e.tMs > arrivals[0]! + 15_000).length, 0);
  for (const r of Object.values(out)) {
    assert.equal(r.requests, arrivals.length);
    assert.ok(r.sloAttainment > 0.9);
    assert.equal(r.series.gpuReplicas.length, r.series.arrivals.length);
  }
  assert.ok(out.predictive!.sloAttainment >= 0.99);
});

test('config errors are precise', () => {
  const pools = defaultPools(1, 1);
  const policies = { gpu: new ReactivePolicy({ minReplicas: 1, maxReplicas: 1 }), cpu: new StaticPolicy({ replicas: 1 }) };
  assert.throws(() => simulate({ arrivals: [2, 1], ...pools, sloMs: 100, policies }), /non-decreasing \(index 1\)/);
  const bad: PoolSpec = { ...pools.gpu, maxBatch: 0 };
  assert.throws(() => simulate({ arrivals: [1], gpu: bad, cpu: pools.cpu, sloMs: 100, policies }), /gpu.maxBatch/);
  assert.throws(() => generateTrace({ days: 0, baseRate: 1 }), /days/);
});

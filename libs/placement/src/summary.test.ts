import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Placer } from './placer.ts';
import { summarizeCandidates } from './summary.ts';
import { cand, ctxWith, request } from './fixtures.ts';

const placer = new Placer();
const gpu = cand({ executor_id: 'gpu-1', pool: 'POOL_GPU', cost_per_hour: 1, max_batch_size: 1, service_times: [{ batch_size: 1, ms: 20 }] });
const cpu = cand({ executor_id: 'cpu-1', pool: 'POOL_CPU', cost_per_hour: 0.4, max_batch_size: 1, service_times: [{ batch_size: 1, ms: 10 }] });

test('summary: chosen, feasible and rejected candidates with the model\'s numbers', () => {
  const live = { inFlight: (id: string) => (id === 'gpu-1' ? 5 : 0) };
  const ctx = ctxWith([], { live });
  const req = request({ deadlineMs: 50 });
  const d = placer.decide(req, [gpu, cpu], ctx);
  assert.equal(d.candidate?.executor_id, 'cpu-1');
  const s = summarizeCandidates(placer.filters, req, [gpu, cpu], ctx, d.candidate?.executor_id);
  assert.equal(s.length, 2);
  const [g, c] = s;
  assert.equal(g!.feasible, false);
  assert.equal(g!.chosen, false);
  assert.match(g!.verdict, /^deadline: predicted 120 ms > deadline 50\.0 ms$/);
  assert.equal(g!.predictedMs, 120); // 5 ahead x 20 ms + 20 ms
  assert.equal(g!.liveInFlight, 5);
  assert.equal(c!.verdict, 'chosen');
  assert.equal(c!.chosen, true);
  assert.equal(c!.predictedMs, 10);
  assert.ok(Math.abs(c!.costPerRequest - (0.4 * 0.01) / 3600) < 1e-15);
});

test('summary: excluded executors say why; the list is bounded but keeps the chosen one', () => {
  const many = Array.from({ length: 10 }, (_, i) => cand({ executor_id: `cpu-${i}` }));
  const req = request({ exclude: new Set(['cpu-0']) });
  const s = summarizeCandidates(placer.filters, req, many, ctxWith(), 'cpu-9', 4);
  assert.equal(s.length, 4);
  assert.match(s[0]!.verdict, /healthy: .*excluded/);
  assert.equal(s[3]!.executorId, 'cpu-9');
  assert.equal(s[3]!.verdict, 'chosen');
  assert.equal(s.filter((x) => x.verdict === 'feasible').length, 2);
});

test('summary: a feasible executor passed over at the slot limit says so', () => {
  const cheap = cand({ executor_id: 'cpu-1', cost_per_hour: 0.4 });
  const dear = cand({ executor_id: 'gpu-1', pool: 'POOL_GPU', cost_per_hour: 2.5 });
  const live = { inFlight: (id: string) => (id === 'cpu-1' ? 1 : 0), modelInFlight: (id: string) => (id === 'cpu-1' ? 1 : 0) };
  const ctx = ctxWith([], { live });
  const req = request({ slotsPerExecutor: 1 });
  const d = placer.decide(req, [cheap, dear], ctx);
  assert.equal(d.candidate?.executor_id, 'gpu-1');
  const s = summarizeCandidates(placer.filters, req, [cheap, dear], ctx, d.candidate?.executor_id);
  assert.equal(s[0]!.feasible, true);
  assert.equal(s[0]!.verdict, 'slots: 1 in flight for m >= 1 per executor; passed over for an executor with a free slot');
  assert.equal(s[1]!.verdict, 'chosen');
  // All full: nothing was passed over for it.
  const allFull = ctxWith([], { live: { inFlight: () => 1, modelInFlight: () => 1 } });
  const s2 = summarizeCandidates(placer.filters, req, [cheap, dear], allFull, 'cpu-1');
  assert.deepEqual(s2.map((x) => x.verdict), ['chosen', 'feasible']);
});

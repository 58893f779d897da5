import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CostLedger, SeriesStore, isSpill, reasonLabel, slotFromJSON, slotToJSON } from './series.ts';
import { Insights } from './insights.ts';
import type { CostOutcome } from './series.ts';

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const out = (over: Partial<CostOutcome> = {}): CostOutcome => ({
  model_name: 'm', model_version: '1', executor_id: 'gpu-1', pool: 'POOL_GPU', status: 'OK', latency_ms: 10, finished_at_ms: 0, ...over,
});

test('spill: CPU placement whose reason says no GPU met the deadline; other reasons are not spills', () => {
  const spill = 'cheapest pool meeting deadline: cpu (predicted 40 ms <= 300 ms; the only feasible pool)';
  assert.equal(isSpill({ pool: 'POOL_CPU', placement_reason: spill, status: 'OK' }), true);
  assert.equal(isSpill({ pool: 'POOL_CPU', placement_reason: `scheduler Place: ${spill}`, status: 'OK' }), true);
  assert.equal(isSpill({ pool: 'POOL_GPU', placement_reason: spill.replace('cpu', 'gpu'), status: 'OK' }), false);
  assert.equal(isSpill({ pool: 'POOL_CPU', placement_reason: 'cheapest pool meeting deadline: cpu (predicted 40 ms <= 300 ms)', status: 'OK' }), false, 'cheaper, not forced');
  assert.equal(isSpill({ pool: 'POOL_CPU', placement_reason: 'cheapest pool: cpu (0.001/request, predicted 4 ms, no deadline; the only feasible pool)', status: 'OK' }), false, 'no deadline: not a spill');
  assert.equal(isSpill({ pool: 'POOL_CPU', placement_reason: `${spill}; pinned by pool preference cpu`, status: 'OK' }), false, 'pinned: not a spill');
  assert.equal(reasonLabel({ placement_reason: 'cheapest pool: gpu (x)', status: 'OK', executor_id: 'g' }), 'cheapest');
  assert.equal(reasonLabel({ placement_reason: spill, status: 'OK', executor_id: 'c' }), 'only_feasible_deadline');
  assert.equal(reasonLabel({ placement_reason: `${spill}; pinned by pool preference cpu`, status: 'OK', executor_id: 'c' }), 'pinned');
  assert.equal(reasonLabel({ placement_reason: 'no executor serves model', status: 'NOT_FOUND', executor_id: '' }), 'not_placed');
  assert.equal(reasonLabel({ placement_reason: '', status: 'OK', executor_id: 'x' }), 'none');
});

test('series: dense 10 s slots per model and pool, p99, bad requests against the SLO, retention', () => {
  let now = T0;
  const s = new SeriesStore({ now: () => now, retentionMs: 60_000, slos: { m: { latencyMs: 50 } } });
  s.record(out({ finished_at_ms: now, latency_ms: 10 }));
  s.record(out({ finished_at_ms: now, latency_ms: 80 })); // slower than 50 ms: bad
  s.record(out({ finished_at_ms: now, pool: 'POOL_CPU', status: 'INTERNAL' }));
  now += 25_000;
  s.record(out({ finished_at_ms: now, latency_ms: 20 }));
  const gpu = s.get({ pool: 'gpu' });
  assert.equal(gpu.length, 1);
  assert.deepEqual(gpu[0]!.points.map((p) => p.arrivals), [2, 0, 1]);
  assert.deepEqual(gpu[0]!.points.map((p) => p.bad), [1, 0, 0]);
  assert.equal(gpu[0]!.points[0]!.rate_per_s, 0.2);
  assert.ok(gpu[0]!.points[0]!.p99_ms > 70 && gpu[0]!.points[0]!.p99_ms <= 80);
  assert.deepEqual(s.arrivals().map((p) => [p.gpu, p.cpu]), [[2, 1], [0, 0], [1, 0]]);
  // 2 bad of 4 at 99 %: burn 50.
  assert.ok(Math.abs(s.burnRate('m:1', 300_000) - 50) < 1e-9);
  const [slo] = s.slo();
  assert.equal(slo!.good, 2);
  assert.equal(slo!.total, 4);
  assert.equal(slo!.latency_objective_ms, 50);
  assert.equal(slo!.burn_rates.find((b) => b.name === 'fast')!.firing, true);
  // Slots round-trip through JSON (Redis) unchanged.
  const dirty = s.takeDirty();
  assert.equal(dirty.length, 3);
  const back = slotFromJSON(JSON.parse(JSON.stringify(slotToJSON(dirty[0]!.slot))));
  assert.equal(back.latency.quantile(0.99), dirty[0]!.slot.latency.quantile(0.99));
  assert.equal(s.takeDirty().length, 0);
  // Past the retention everything is gone.
  now += 120_000;
  assert.deepEqual(s.get(), []);
  assert.equal(s.burnRate('m:1', 300_000), 0);
});

test('cost: month to date per tenant/model/pool; linear forecast early in the month, Holt after 3 full days', () => {
  const started = Date.UTC(2026, 10, 1, 12, 0, 0); // Nov 1st, noon (30-day month)
  let now = started;
  const c = new CostLedger({ now: () => now, startedAtMs: started });
  c.record(out({ tenant: 'a', cost: 1, finished_at_ms: now }));
  c.record(out({ tenant: 'a', cost: 2, finished_at_ms: now }));
  c.record(out({ tenant: 'b', cost: 0.5, pool: 'POOL_CPU', finished_at_ms: now }));
  c.record(out({ tenant: 'b', cost: Number.NaN, finished_at_ms: now }));
  now = Date.UTC(2026, 10, 1, 18, 0, 0);
  let r = c.report();
  assert.equal(r.month, '2026-11');
  assert.equal(r.forecast_method, 'linear');
  assert.equal(r.total_month_to_date, 3.5);
  const a = r.lines.find((l) => l.tenant === 'a')!;
  assert.equal(a.requests, 2);
  // 3 spent in the 6 h observed so far: the run rate (12/day) over the 29.25 days left.
  assert.ok(Math.abs(a.forecast_month_end - (3 + 12 * 29.25)) < 1e-6, String(a.forecast_month_end));
  // Steady 10/day for Nov 2..5 (Nov 1 was observed only from noon, so it is left out), then
  // Holt on the complete days projects about 10/day to the 30th.
  for (let d = 2; d <= 5; d++) c.add('a', 'm:1', 'gpu', Math.floor(Date.UTC(2026, 10, d) / 86_400_000), 10, 10);
  now = Date.UTC(2026, 10, 6, 0, 0, 1);
  r = c.report();
  assert.equal(r.forecast_method, 'holt');
  const a2 = r.lines.find((l) => l.tenant === 'a')!;
  assert.equal(a2.month_to_date, 43);
  assert.ok(a2.forecast_month_end > 43 + 20 * 8 && a2.forecast_month_end < 43 + 25 * 12, String(a2.forecast_month_end));
  // Next month: the old month is no longer "to date".
  now = Date.UTC(2026, 11, 2);
  assert.equal(c.report().total_month_to_date, 0);
});

test('insights: one-step forecast trails actual arrivals; a latency jump on one executor is flagged', () => {
  const ins = new Insights({ slotMs: 10_000, seasonSlots: 6 });
  for (let i = 0; i < 40; i++) {
    for (let k = 0; k < 20; k++) ins.record(out({ executor_id: 'gpu-1', latency_ms: 10 + (k % 3) }));
    ins.closeSlot(T0 + i * 10_000);
  }
  const view = ins.forecastView();
  assert.equal(view.at(-1)!.actual, null);
  assert.ok(Math.abs(view.at(-1)!.forecast! - 20) < 2, `forecast ${view.at(-1)!.forecast}`);
  assert.ok(view.at(-2)!.forecast !== null && view.at(-2)!.actual === 20);
  assert.equal(ins.latestScores.get('gpu-1')!.flag, false);
  for (let k = 0; k < 20; k++) ins.record(out({ executor_id: 'gpu-1', latency_ms: 400 }));
  ins.closeSlot(T0 + 40 * 10_000);
  assert.equal(ins.latestScores.get('gpu-1')!.flag, true);
  assert.equal(ins.anomalies.at(-1)!.executor_id, 'gpu-1');
});

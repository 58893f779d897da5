import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Forecaster, ForecasterJSON, ForecastPoint } from '@switchyard/forecasting';
import { Autoscaler, ReactivePolicy, StaticPolicy, erlangB, erlangC, requiredReplicas, responseTail, waitTail, type ScalingPolicy } from './index.ts';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('Erlang C against hand-computed values', () => {
  close(erlangC(1, 0.5), 0.5); // M/M/1: C = ρ
  close(erlangC(2, 1), 1 / 3); // B = 0.2, C = 0.2 / (1 - 0.5·0.8)
  close(erlangC(3, 2), 4 / 9);
  close(erlangB(2, 1), 0.2);
  // c = 10, a = 8 (textbook factorial formula)
  close(erlangC(10, 8), 0.4091801508, 1e-8); // factorial form, computed offline
  assert.equal(erlangC(4, 4), 1);
  assert.equal(erlangC(4, 0), 0);
  // large c stays finite and in (0, 1) (the factorial form overflows here)
  const big = erlangC(2000, 1900);
  assert.ok(big > 0 && big < 1 && Number.isFinite(big));
  assert.throws(() => erlangC(0, 1), /c must be/);
});

test('waiting and response tails', () => {
  // M/M/1, λ=0.5, μ=1: P(W > t) = ρ e^{-(μ-λ)t}
  close(waitTail(1, 0.5, 1, 2), 0.5 * Math.exp(-1));
  // M/M/1 response time is Exp(μ - λ): P(R > t) = e^{-(μ-λ)t}
  close(responseTail(1, 0.5, 1, 3, 'exponential'), Math.exp(-1.5), 1e-9);
  // deterministic: service 1 s, slo 3 s -> P(W > 2)
  close(responseTail(1, 0.5, 1, 3, 'deterministic'), 0.5 * Math.exp(-1));
  assert.equal(responseTail(2, 5, 1, 10), 1); // overloaded
});

test('requiredReplicas: the answer meets the SLO and one fewer does not (or hits the cap)', () => {
  const o = { sloMs: 100, sloPercentile: 0.99, utilCap: 0.95 };
  for (const lambda of [1, 10, 55, 300, 2500]) {
    const s = requiredReplicas(lambda, 20, o);
    assert.ok(s.feasible);
    assert.ok(s.tail <= 0.01);
    assert.ok(s.utilisation <= 0.95 + 1e-12);
    const c = s.replicas - 1;
    if (c >= 1 && lambda / (c * 20) <= 0.95) assert.ok(responseTail(c, lambda, 20, 0.1) > 0.01, `λ=${lambda}: ${c} would do`);
  }
  assert.equal(requiredReplicas(0, 20, o).replicas, 0);
  // service time (50 ms) beyond the SLO (40 ms): infeasible, reported
  assert.equal(requiredReplicas(5, 20, { sloMs: 40, sloPercentile: 0.99, maxReplicas: 50 }).feasible, false);
  // the utilisation cap binds when the latency SLO is loose
  assert.equal(requiredReplicas(100, 10, { sloMs: 10_000, sloPercentile: 0.9, utilCap: 0.5 }).replicas, 20);
});

test('replicas grow monotonically with λ', () => {
  let prev = 0;
  for (let lambda = 0; lambda <= 2000; lambda += 7.3) {
    const r = requiredReplicas(lambda, 13, { sloMs: 250, sloPercentile: 0.99 }).replicas;
    assert.ok(r >= prev, `λ=${lambda}: ${r} < ${prev}`);
    prev = r;
  }
  assert.ok(prev > 100);
});

/** A scripted forecaster: quantile(h, q) = f(h). */
function scripted(f: (h: number) => number): Forecaster {
  return {
    count: 1, update() {}, mean: f, stdError: () => 0, quantile: (h: number) => f(h),
    forecast: (h: number): ForecastPoint[] => Array.from({ length: h }, (_, i) => ({ mean: f(i + 1), lower: f(i + 1), upper: f(i + 1) })),
    toJSON: (): ForecasterJSON => ({ kind: 'scripted', v: 1, config: {}, state: {} }),
  };
}

const base = { minReplicas: 1, maxReplicas: 100, sloMs: 200, sloPercentile: 0.99, startupSeconds: 0, forecastStepS: 60, syncPeriodS: 15 };

test('steady state: the chosen size meets the SLO under the model', () => {
  const a = new Autoscaler({ ...base, downscaleStabilizationS: 0 });
  const d = a.step(0, 180, 20, scripted(() => 180));
  assert.equal(d.forecastRate, 180);
  assert.ok(responseTail(d.desired, 180, 20, 0.2) <= 0.01);
  assert.ok(180 / (d.desired * 20) <= 0.85);
  assert.match(d.reason, /scale up/);
});

test('downscale stabilization holds replicas for the window, then releases', () => {
  const a = new Autoscaler({ ...base, downscaleStabilizationS: 300 });
  const hi = a.step(0, 400, 20, undefined).desired;
  assert.ok(hi > 20);
  let cur = hi;
  for (let t = 15; t <= 300; t += 15) {
    const d = a.step(t * 1000, 20, 20, undefined, { current: cur, ready: cur, utilization: 0.05 });
    assert.equal(d.desired, hi, `t=${t}`);
    assert.match(d.reason, /hold \(downscale stabilization\)/);
    cur = d.desired;
  }
  const after = a.step(316_000, 20, 20, undefined, { current: cur, ready: cur, utilization: 0.05 }).desired;
  assert.ok(after < hi, `${after}`);
});

test('startup time makes it scale earlier (looks further ahead)', () => {
  // demand ramps: step h ahead (60 s each) is 50 + 100 h req/s
  const f = scripted((h) => 50 + 100 * h);
  const quick = new Autoscaler({ ...base, startupSeconds: 0 }).step(0, 50, 20, f);
  const slow = new Autoscaler({ ...base, startupSeconds: 300 }).step(0, 50, 20, f);
  assert.equal(quick.forecastRate, 150);
  assert.equal(slow.forecastRate, 50 + 100 * Math.ceil(315 / 60));
  assert.ok(slow.desired > quick.desired);
});

test('min/max and step limits are respected; spill rate while growing', () => {
  const a = new Autoscaler({ ...base, minReplicas: 3, maxReplicas: 10, maxStepUp: 4 });
  assert.equal(a.step(0, 0, 20, undefined).desired, 3);
  const d = a.step(15_000, 10_000, 20, undefined, { current: 3, ready: 3, utilization: 1 });
  assert.equal(d.desired, 7); // 3 + maxStepUp
  close(d.spillRate, 10_000 - 3 * 20 * 0.85);
  const e = a.step(30_000, 10_000, 20, undefined, { current: 7, ready: 3, utilization: 1 });
  assert.equal(e.desired, 10); // maxReplicas
  const f = a.step(45_000, 10, 20, undefined, { current: 10, ready: 10, utilization: 0.1 });
  assert.equal(f.spillRate, 0);
  assert.throws(() => new Autoscaler({ ...base, minReplicas: 5, maxReplicas: 2 }), /maxReplicas/);
});

test('ReactivePolicy: HPA formula, tolerance, scale-up limit, 300 s downscale stabilization, sync period', () => {
  const r = new ReactivePolicy({ minReplicas: 1, maxReplicas: 50, targetUtilization: 0.5 });
  assert.equal(r.step(0, 0, 1, undefined, { current: 4, ready: 4, utilization: 0.75 }).desired, 6); // ceil(4 × 1.5)
  // within the sync period: repeats the last decision
  assert.equal(r.step(5_000, 0, 1, undefined, { current: 6, ready: 6, utilization: 1 }).desired, 6);
  // tolerance: 0.53/0.5 = 1.06 -> no change
  assert.equal(r.step(15_000, 0, 1, undefined, { current: 6, ready: 6, utilization: 0.53 }).desired, 6);
  // scale-up limit: max(4, 100 %) = +6 from 6
  assert.equal(r.step(30_000, 0, 1, undefined, { current: 6, ready: 6, utilization: 1 }).desired, 12);
  // downscale held for 300 s after the last high recommendation (t = 30 s, rec 12)
  assert.equal(r.step(45_000, 0, 1, undefined, { current: 12, ready: 12, utilization: 0.1 }).desired, 12);
  assert.equal(r.step(330_000, 0, 1, undefined, { current: 12, ready: 12, utilization: 0.1 }).desired, 12);
  assert.equal(r.step(345_000, 0, 1, undefined, { current: 12, ready: 12, utilization: 0.1 }).desired, 3);
  assert.equal(r.step(660_000, 0, 1, undefined, { current: 3, ready: 3, utilization: 0 }).desired, 1); // min
});

test('one interface for the three policies', () => {
  const ps: ScalingPolicy[] = [new Autoscaler(base), new ReactivePolicy({ minReplicas: 1, maxReplicas: 9 }), new StaticPolicy({ replicas: 4 })];
  assert.deepEqual(ps.map((p) => p.name), ['predictive', 'reactive', 'static']);
  for (const p of ps) {
    const d = p.step(0, 10, 20, scripted(() => 10), { current: 4, ready: 4, utilization: 0.5 });
    assert.ok(Number.isInteger(d.desired) && d.desired >= 1 && typeof d.reason === 'string');
  }
  assert.equal(ps[2]!.step(0, 1e6, 1).desired, 4);
});

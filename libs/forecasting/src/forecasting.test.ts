import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ensemble, Holt, HoltWinters, forecasterFromJSON, normalQuantile, type Forecaster } from './index.ts';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function gauss(r: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** mean absolute one-step error over points [from, series.length) */
function oneStepMae(f: Forecaster, series: number[], from: number): number {
  let s = 0;
  let n = 0;
  series.forEach((y, t) => {
    if (t >= from) { s += Math.abs(y - f.mean(1)); n++; }
    f.update(y);
  });
  return s / n;
}

const seasonal = (t: number, g: () => number) => 100 + 0.05 * t + 30 * Math.sin((2 * Math.PI * t) / 24) + g();

test('normalQuantile matches known values', () => {
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
  assert.ok(Math.abs(normalQuantile(0.5)) < 1e-12);
  assert.ok(Math.abs(normalQuantile(0.001) + 3.090232) < 1e-5);
});

test('Holt tracks a linear trend with small error and extrapolates it', () => {
  const h = new Holt();
  for (let t = 0; t < 200; t++) h.update(10 + 2 * t);
  assert.ok(Math.abs(h.components.trend - 2) < 1e-6, `trend ${h.components.trend}`);
  const f = h.forecast(10);
  assert.equal(f.length, 10);
  f.forEach((p, i) => assert.ok(Math.abs(p.mean - (10 + 2 * (200 + i))) < 1e-6, `step ${i + 1}: ${p.mean}`));
  // noisy trend: MAE close to the noise level
  const g = gauss(rng(1));
  const series = Array.from({ length: 500 }, (_, t) => 5 + 0.5 * t + g());
  const mae = oneStepMae(new Holt(), series, 50);
  assert.ok(mae < 1.3, `mae ${mae}`); // the noise alone gives ~0.8
});

test('Holt-Winters learns a daily sinusoid + trend and beats Holt on it', () => {
  const g = gauss(rng(2));
  const series = Array.from({ length: 24 * 20 }, (_, t) => seasonal(t, g));
  const maeHw = oneStepMae(new HoltWinters({ seasonLength: 24 }), series, 24 * 5);
  const maeHolt = oneStepMae(new Holt(), series, 24 * 5);
  assert.ok(maeHw / maeHolt < 0.5, `HW ${maeHw} vs Holt ${maeHolt}`);
  assert.ok(maeHw < 1.5, `HW mae ${maeHw}`);
  // a full-day-ahead forecast follows the season
  const hw = new HoltWinters({ seasonLength: 24 });
  series.forEach((y) => hw.update(y));
  const f = hw.forecast(24);
  let err = 0;
  f.forEach((p, i) => { err += Math.abs(p.mean - (seasonal(series.length + i, () => 0))); });
  assert.ok(err / 24 < 3, `day-ahead mae ${err / 24}`);
  // intervals widen with the horizon
  assert.ok((f[23]!.upper - f[23]!.lower) > (f[0]!.upper - f[0]!.lower));
});

test('Holt-Winters with daily + weekly seasons learns the weekly shape', () => {
  const g = gauss(rng(3));
  const weekly = (t: number) => (Math.floor(t / 24) % 7 >= 5 ? -20 : 0); // quiet weekends
  const y = (t: number) => 100 + 30 * Math.sin((2 * Math.PI * t) / 24) + weekly(t) + g();
  const series = Array.from({ length: 168 * 6 }, (_, t) => y(t));
  const maeBoth = oneStepMae(new HoltWinters({ seasonLengths: [24, 168] }), series, 168 * 2);
  const hw2 = new HoltWinters({ seasonLengths: [168, 24] });
  series.forEach((v) => hw2.update(v));
  assert.deepEqual(hw2.config.seasonLengths, [24, 168]);
  // 12 h ahead from the end of a Friday-ish point: the weekly component is non-trivial
  const week = hw2.components.seasons[1]!;
  assert.equal(week.length, 168);
  const weekendMean = week.slice(120).reduce((s, v) => s + v, 0) / 48;
  const weekdayMean = week.slice(0, 120).reduce((s, v) => s + v, 0) / 120;
  assert.ok(weekdayMean - weekendMean > 10, `weekly component weekday ${weekdayMean} weekend ${weekendMean}`);
  assert.ok(maeBoth < 2.5, `mae ${maeBoth}`);
});

test('seasonal initialization before a full season falls back to Holt (no explosion)', () => {
  const hw = new HoltWinters({ seasonLengths: [24, 168] });
  const holt = new Holt({ alpha: hw.config.alpha, beta: hw.config.beta });
  for (let t = 0; t < 10; t++) {
    hw.update(50 + t);
    holt.update(50 + t);
    assert.equal(hw.seasonal, false);
    assert.ok(Math.abs(hw.mean(3) - holt.mean(3)) < 1e-9);
    for (const p of hw.forecast(200)) assert.ok(Number.isFinite(p.mean) && Number.isFinite(p.lower) && Number.isFinite(p.upper));
  }
  for (let t = 10; t < 24; t++) hw.update(50 + t);
  assert.equal(hw.seasonal, true);
  for (const p of hw.forecast(200)) assert.ok(Number.isFinite(p.mean) && Math.abs(p.mean - 60) < 40, `one period in: ${p.mean}`);
  for (let t = 24; t < 48; t++) hw.update(50 + t);
  assert.ok(Math.abs(hw.mean(1) - 98) < 1e-6, `after two periods of a line, forecast continues the line: ${hw.mean(1)}`);
});

test('ensemble weights favour the better member and report the leader', () => {
  const g = gauss(rng(4));
  const e = new Ensemble([
    { name: 'holt', forecaster: new Holt() },
    { name: 'hw', forecaster: new HoltWinters({ seasonLength: 24 }) },
  ]);
  for (let t = 0; t < 24 * 10; t++) e.update(seasonal(t, g));
  const [wHolt, wHw] = e.weights();
  assert.ok(wHw! > 0.8 && wHolt! < 0.2, `weights ${wHolt} ${wHw}`);
  assert.equal(e.leader, 'hw');
  assert.equal(e.report().members.length, 2);
  // on a pure line with noise, Holt (no seasonal noise-chasing) should not be the loser by much; selector mode follows the leader
  const best = new Ensemble([{ name: 'holt', forecaster: new Holt() }, { name: 'hw', forecaster: new HoltWinters({ seasonLength: 24 }) }], { mode: 'best' });
  for (let t = 0; t < 24 * 10; t++) best.update(seasonal(t, g));
  const hwOnly = (best.members[1]!.forecaster);
  assert.equal(best.mean(5), hwOnly.mean(5));
});

test('intervals cover ~95 % of points on noisy data', () => {
  for (const [name, make, gen] of [
    ['holt', () => new Holt(), (t: number, g: () => number) => 20 + 0.1 * t + 3 * g()],
    ['hw', () => new HoltWinters({ seasonLength: 24 }), (t: number, g: () => number) => seasonal(t, () => 3 * g())],
  ] as const) {
    const g = gauss(rng(5));
    const f = make();
    let hit = 0;
    let n = 0;
    for (let t = 0; t < 3000; t++) {
      const y = gen(t, g);
      if (t >= 200) {
        const [p] = f.forecast(1);
        if (y >= p!.lower && y <= p!.upper) hit++;
        n++;
      }
      f.update(y);
    }
    const cov = hit / n;
    assert.ok(cov >= 0.85 && cov <= 0.99, `${name} coverage ${cov}`);
    // the 0.975 quantile equals the upper bound of a 95 % interval
    assert.ok(Math.abs(f.quantile(4, 0.975) - f.forecast(4)[3]!.upper) < 1e-9);
  }
});

test('serialization round-trips and continues identically', () => {
  const g = gauss(rng(6));
  const mk = () => new Ensemble([
    { name: 'holt', forecaster: new Holt({ floor: 0 }) },
    { name: 'hw', forecaster: new HoltWinters({ seasonLengths: [24, 48], gamma: [0.1, 0.05] }) },
  ]);
  const a = mk();
  const series = Array.from({ length: 200 }, (_, t) => seasonal(t, g));
  series.slice(0, 30).forEach((y) => a.update(y)); // mid-initialization of the 48 season
  const b = forecasterFromJSON(JSON.parse(JSON.stringify(a.toJSON())));
  series.slice(30).forEach((y) => { a.update(y); b.update(y); });
  assert.deepEqual(b.forecast(30), a.forecast(30));
  assert.deepEqual(b.toJSON(), a.toJSON());
  assert.equal(Holt.fromJSON(new Holt().toJSON()).count, 0);
  assert.throws(() => forecasterFromJSON({ kind: 'nope', v: 1, config: {}, state: {} }), /unknown kind nope/);
  assert.throws(() => Holt.fromJSON({ kind: 'holt', v: 1, config: { alpha: 'x' }, state: {} }), /alpha/);
});

test('constant series, zeros and bad input behave', () => {
  for (const f of [new Holt(), new HoltWinters({ seasonLength: 4 }), new Ensemble([{ name: 'h', forecaster: new Holt() }, { name: 'w', forecaster: new HoltWinters({ seasonLength: 4 }) }])] as Forecaster[]) {
    for (let t = 0; t < 50; t++) f.update(7);
    for (const p of f.forecast(8)) assert.deepEqual(p, { mean: 7, lower: 7, upper: 7 });
    assert.equal(f.quantile(3, 0.99), 7);
    assert.throws(() => f.update(Number.NaN), (e: unknown) => e instanceof RangeError && /NaN/.test(e.message));
    assert.throws(() => f.update(Infinity), /Infinity/);
    assert.throws(() => f.forecast(-1), RangeError);
    assert.throws(() => f.quantile(1, 1), RangeError);
    assert.equal(f.count, 50, 'rejected values are not counted');
  }
  const z = new HoltWinters({ seasonLength: 3, floor: 0 });
  for (let t = 0; t < 20; t++) z.update(0);
  assert.deepEqual(z.forecast(2), [{ mean: 0, lower: 0, upper: 0 }, { mean: 0, lower: 0, upper: 0 }]);
  assert.throws(() => new Holt().forecast(1), /no observations/);
  assert.throws(() => new HoltWinters({}), /seasonLength/);
  assert.throws(() => new HoltWinters({ seasonLength: 1 }), /season length/);
  assert.throws(() => new Holt({ alpha: 0 }), /alpha/);
  assert.throws(() => new Holt({ level: 1 }), /level/);
  // floor keeps a falling series' forecast non-negative
  const d = new Holt({ floor: 0 });
  for (let t = 0; t < 20; t++) d.update(20 - t);
  assert.ok(d.forecast(50).every((p) => p.mean >= 0 && p.lower >= 0));
});

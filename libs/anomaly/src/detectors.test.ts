import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnomalyScorer, Cusum, EwmaControl, RobustZ, SeasonalResidual, calibrate, type Detector } from './index.ts';

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
function gauss(seed: number): () => number {
  const r = rng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

test('calibrate: 0 at 0, 0.5 at the threshold, 1 at infinity, monotone', () => {
  assert.equal(calibrate(0, 4), 0);
  assert.equal(calibrate(4, 4), 0.5);
  assert.equal(calibrate(Infinity, 4), 1);
  assert.ok(calibrate(2, 4) < 0.1 && calibrate(8, 4) > 0.9);
});

test('a spike is flagged by every spike-sensitive detector and the scorer', () => {
  const mk: Array<[string, () => { update(x: number): { score: number; flag: boolean; detail: string } }]> = [
    ['robustZ', () => new RobustZ()], ['scorer', () => new AnomalyScorer()],
  ];
  for (const [name, make] of mk) {
    const g = gauss(11);
    const d = make();
    for (let t = 0; t < 300; t++) {
      const r = d.update(50 + g());
      assert.ok(r.score >= 0 && r.score <= 1);
    }
    const r = d.update(50 + 15);
    assert.equal(r.flag, true, `${name}: ${r.detail}`);
    assert.ok(r.score >= 0.5, `${name} score ${r.score}`);
    assert.ok(r.detail.length > 0);
    const after = d.update(50 + g());
    assert.ok(after.score < 0.5, `${name} after spike: ${after.detail}`);
  }
});

test('EWMA control catches a small sustained shift that a per-point test misses; a lone spike does not linger', () => {
  const g = gauss(15);
  const e = new EwmaControl();
  const rz = new RobustZ();
  for (let t = 0; t < 300; t++) { e.update(50 + g()); rz.update(50 + g()); }
  assert.equal(e.update(50 + 20).flag, false, 'a lone spike is clipped');
  assert.equal(e.update(50 + g()).flag, false);
  let at = -1;
  let rzFlags = 0;
  for (let t = 0; t < 40; t++) {
    const x = 51.5 + g(); // +1.5σ
    if (rz.update(x).flag) rzFlags++;
    if (e.update(x).flag && at < 0) at = t + 1;
  }
  assert.ok(at > 0 && at <= 20, `ewma detected the 1.5σ shift after ${at}`);
  assert.equal(rzFlags, 0);
});

test('CUSUM catches a level shift within a bounded number of points, then settles', () => {
  for (const [shift, bound] of [[3, 3], [-2, 5], [1, 25]] as const) {
    const g = gauss(12);
    const c = new Cusum();
    let falseAlarms = 0;
    for (let t = 0; t < 500; t++) if (c.update(10 + g()).flag) falseAlarms++;
    assert.ok(falseAlarms <= 2, `false alarms ${falseAlarms}`);
    let delay = -1;
    for (let t = 0; t < 100; t++) {
      const r = c.update(10 + shift + g());
      if (r.flag) { delay = t + 1; assert.match(r.detail, shift > 0 ? /up/ : /down/); break; }
    }
    assert.ok(delay > 0 && delay <= bound, `shift ${shift}: detected after ${delay}`);
    // the new level becomes normal: few further alarms
    let later = 0;
    for (let t = 0; t < 300; t++) if (c.update(10 + shift + g()).flag) later++;
    assert.ok(later <= 3, `shift ${shift}: ${later} alarms after the change point`);
  }
});

test('steady noisy series: false-positive rate < 1 % over 10 000 points (fixed seed)', () => {
  const dets: Array<[string, Detector | AnomalyScorer]> = [
    ['robustZ', new RobustZ()], ['ewma', new EwmaControl()], ['cusum', new Cusum()],
    ['seasonal', new SeasonalResidual({ seasonLength: 24 })], ['scorer', new AnomalyScorer()], ['scorer-seasonal', new AnomalyScorer({ seasonLength: 24 })],
  ];
  for (const [name, d] of dets) {
    const g = gauss(13);
    let flags = 0;
    for (let t = 0; t < 10_000; t++) if (d.update(200 + 5 * g()).flag) flags++;
    assert.ok(flags / 10_000 < 0.01, `${name}: ${flags} flags`);
  }
});

test('seasonal series: normal peaks are not flagged, a spike at a trough is', () => {
  for (const make of [() => new SeasonalResidual({ seasonLength: 24 }), () => new AnomalyScorer({ seasonLength: 24 })]) {
    const g = gauss(14);
    const d = make();
    const y = (t: number) => 100 + 40 * Math.sin((2 * Math.PI * t) / 24) + g();
    let peakFlags = 0;
    let peaks = 0;
    for (let t = 0; t < 24 * 14; t++) {
      const r = d.update(y(t));
      if (t >= 24 * 4 && t % 24 === 6) { peaks++; if (r.flag) peakFlags++; }
    }
    assert.equal(peakFlags, 0, `${peakFlags}/${peaks} peaks flagged`);
    const trough = 24 * 14 + 18; // sin = -1 here
    for (let t = 24 * 14; t < trough; t++) d.update(y(t));
    const r = d.update(y(trough) + 25); // still well below a normal peak
    assert.equal(r.flag, true, r.detail);
  }
  // a plain robust z on raw values would miss it (the point is inside the normal daily range)
  const rz = new RobustZ({ window: 96 });
  const g = gauss(14);
  for (let t = 0; t < 24 * 14 + 18; t++) rz.update(100 + 40 * Math.sin((2 * Math.PI * t) / 24) + g());
  assert.equal(rz.update(100 - 40 + 25).flag, false);
});

test('constant series and bad input', () => {
  for (const d of [new RobustZ(), new EwmaControl(), new Cusum(), new AnomalyScorer()]) {
    for (let t = 0; t < 100; t++) assert.equal(d.update(3).flag, false);
    const first = d.update(4).flag;
    // CUSUM clips each point at 3σ, so it needs a second point of the new level
    assert.equal(first || (d instanceof Cusum && d.update(4).flag), true, 'any departure from a constant is anomalous');
    assert.throws(() => d.update(Number.NaN), (e: unknown) => e instanceof RangeError && /NaN/.test(e.message));
  }
  assert.throws(() => new RobustZ({ window: 1 }), /window/);
  assert.throws(() => new EwmaControl({ lambda: 0 }), /lambda/);
  assert.throws(() => new AnomalyScorer({ threshold: 2 }), /threshold/);
});

test('RobustZ median/MAD match a brute-force computation', () => {
  const r = rng(16);
  for (const w of [5, 6, 11]) {
    const d = new RobustZ({ window: w, minPoints: 3 });
    const hist: number[] = [];
    for (let t = 0; t < 200; t++) {
      const x = Math.round(r() * 20);
      const win = hist.slice(-w);
      if (win.length >= 3) {
        const med = (a: number[]) => { const s = a.slice().sort((p, q) => p - q); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
        const m = med(win);
        const mad = med(win.map((v) => Math.abs(v - m)));
        const got = d.z(x);
        assert.equal(got.med, m);
        if (mad > 0) assert.ok(Math.abs(got.scale - 1.4826 * mad) < 1e-9, `w ${w} t ${t}: ${got.scale} vs ${1.4826 * mad}`);
      }
      d.update(x);
      hist.push(x);
    }
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeerOutlierDetector, type PeerStats } from './index.ts';

const host = (id: string, p99Ms = 50, successes = 500, failures = 0, consecutiveErrors = 0): PeerStats => ({ id, successes, failures, p99Ms, consecutiveErrors });
const pool = (n: number, over: Record<string, Partial<PeerStats>> = {}) =>
  Array.from({ length: n }, (_, i) => ({ ...host(`ex-${i}`, 48 + (i % 3) * 2), ...over[`ex-${i}`] }));

test('ejects the slow one of 6 (MAD-based and factor-based latency)', () => {
  for (const cfg of [{}, { latencyFactor: 2 }]) {
    const d = new PeerOutlierDetector(cfg);
    const r = d.evaluate(0, pool(6, { 'ex-4': { p99Ms: 400 } }));
    assert.deepEqual(r.eject.map((e) => e.id), ['ex-4']);
    assert.match(r.eject[0]!.reason, /latency p99 400 ms/);
    assert.equal(r.eject[0]!.untilMs, 30_000);
    assert.deepEqual(r.restore, []);
    assert.deepEqual(d.ejected().map((e) => e.id), ['ex-4']);
  }
  // a pool within normal spread ejects nobody
  assert.deepEqual(new PeerOutlierDetector().evaluate(0, pool(6, { 'ex-1': { p99Ms: 60 } })).eject, []);
});

test('respects the max-ejection-percent cap (at least one when the pool has >= 2)', () => {
  const d = new PeerOutlierDetector();
  const r = d.evaluate(0, pool(6, { 'ex-1': { p99Ms: 300 }, 'ex-4': { p99Ms: 900 } }));
  assert.deepEqual(r.eject.map((e) => e.id), ['ex-4'], 'only the worst, cap = max(1, 10 % of 6)');
  // while ex-4 is out, ex-1 stays in: the cap counts already-ejected executors
  const r2 = d.evaluate(10_000, pool(6, { 'ex-1': { p99Ms: 300 }, 'ex-4': { p99Ms: 900 } }));
  assert.deepEqual(r2.eject, []);
  assert.equal(d.cap(1), 0);
  assert.equal(d.cap(2), 1);
  assert.equal(d.cap(25), 2);
  const big = new PeerOutlierDetector({ maxEjectionPercent: 30 });
  const r3 = big.evaluate(0, pool(10, { 'ex-1': { consecutiveErrors: 9 }, 'ex-2': { consecutiveErrors: 5 }, 'ex-3': { consecutiveErrors: 7 }, 'ex-5': { consecutiveErrors: 6 } }));
  assert.deepEqual(r3.eject.map((e) => e.id), ['ex-1', 'ex-3', 'ex-5'], 'worst first, 3 of 10');
  const solo = new PeerOutlierDetector();
  assert.deepEqual(solo.evaluate(0, [host('only', 50, 0, 100, 50)]).eject, [], 'a pool of one is never emptied');
});

test('consecutive errors eject at once; success-rate outliers need minHosts and minRequests', () => {
  const d = new PeerOutlierDetector();
  const r = d.evaluate(0, pool(6, { 'ex-2': { consecutiveErrors: 5 } }));
  assert.deepEqual(r.eject.map((e) => [e.id, e.reason]), [['ex-2', 'consecutive-errors: 5 >= 5']]);
  const sr = new PeerOutlierDetector({ maxEjectionPercent: 50 });
  const r2 = sr.evaluate(0, pool(10, { 'ex-7': { successes: 300, failures: 200 } }));
  assert.deepEqual(r2.eject.map((e) => e.id), ['ex-7']);
  assert.match(r2.eject[0]!.reason, /success-rate 0.6 </);
  // too few requests: no statistics
  const few = new PeerOutlierDetector();
  assert.deepEqual(few.evaluate(0, pool(10).map((h) => ({ ...h, successes: 50, ...(h.id === 'ex-7' ? { successes: 10, failures: 40 } : {}) }))).eject, []);
  // too few hosts
  assert.deepEqual(new PeerOutlierDetector().evaluate(0, pool(4, { 'ex-1': { p99Ms: 900, successes: 100, failures: 400 } })).eject, []);
  // interval: the statistics sweep runs at most once per intervalMs
  const iv = new PeerOutlierDetector();
  assert.equal(iv.evaluate(0, pool(6)).eject.length, 0);
  assert.equal(iv.evaluate(5_000, pool(6, { 'ex-3': { p99Ms: 900 } })).eject.length, 0);
  assert.equal(iv.evaluate(10_000, pool(6, { 'ex-3': { p99Ms: 900 } })).eject.length, 1);
});

test('restores after expiry, with probation; ejection time grows on repeats', () => {
  const d = new PeerOutlierDetector();
  const slow = () => pool(6, { 'ex-4': { p99Ms: 400 } });
  assert.equal(d.evaluate(0, slow()).eject[0]!.untilMs, 30_000);
  assert.deepEqual(d.evaluate(20_000, slow()).restore, [], 'not before the time');
  const back = d.evaluate(30_000, slow());
  assert.deepEqual(back.restore, ['ex-4']);
  assert.deepEqual(back.eject, [], 'not re-ejected on the stats of the call that restores it');
  const again = d.evaluate(40_000, slow());
  assert.deepEqual(again.eject.map((e) => [e.id, e.untilMs]), [['ex-4', 40_000 + 60_000]]);
  assert.match(again.eject[0]!.reason, /ejection #2/);
  assert.deepEqual(d.evaluate(100_000, pool(6)).restore, ['ex-4']);
  assert.equal(d.evaluate(110_000, slow()).eject[0]!.untilMs, 110_000 + 90_000, 'third time: 3 × base');
  // after it behaves through probation periods, the multiplier decays back
  d.evaluate(200_000, pool(6));
  for (let t = 210_000; t <= 400_000; t += 10_000) d.evaluate(t, pool(6));
  assert.equal(d.ejectionCount('ex-4'), 0);
  assert.equal(d.evaluate(410_000, slow()).eject[0]!.untilMs, 410_000 + 30_000);
});

test('rejects malformed input with a precise message', () => {
  const d = new PeerOutlierDetector();
  assert.throws(() => d.evaluate(Number.NaN, []), /nowMs/);
  assert.throws(() => d.evaluate(0, [host('a'), host('a')]), /duplicate id a/);
  assert.throws(() => d.evaluate(0, [{ ...host('a'), failures: -1 }]), /\(a\)\.failures/);
  assert.throws(() => new PeerOutlierDetector({ maxEjectionPercent: 120 }), /maxEjectionPercent/);
  assert.throws(() => new PeerOutlierDetector({ latencyFactor: 0.5 }), /latencyFactor/);
});

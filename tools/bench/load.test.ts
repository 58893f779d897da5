import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleLoad, pool, prewarm, pacedClient } from './load.ts';
import { processCpuMs, machineCpuMs, machineStealMs, stealMeter, cpuWindow, cpuPerRequestUs } from './cpu.ts';

test('pool: windows summed, throughput over their total time, percentiles over every latency', async () => {
  let i = 0;
  const a = await sampleLoad({ concurrency: 2, durationMs: 200, warmupMs: 20, call: () => new Promise((r) => setTimeout(r, 1 + (i++ % 3))) });
  const b = await sampleLoad({ concurrency: 2, durationMs: 200, warmupMs: 20, call: () => new Promise((r) => setTimeout(r, 10)) });
  assert.equal(a.latencies.length, a.requests);
  assert.ok(!('latencies' in JSON.parse(JSON.stringify(a))), 'latencies stay out of the JSON');
  const p = pool([a, b]);
  assert.equal(p.requests, a.requests + b.requests);
  assert.equal(p.throughput_rps, Math.round(((a.requests + b.requests) / 0.4) * 10) / 10);
  // Percentiles over every latency of both windows (nearest rank), not a mix of the windows'
  // own percentiles. (Comparing with a's p99 would be timing: one stall in a's 1-3 ms calls can
  // put its second-largest value above the pool's third-largest.)
  const every = [...a.latencies, ...b.latencies].sort((x, y) => x - y);
  const rank = (q: number) => Math.round(every[Math.ceil(q * every.length) - 1]! * 1000) / 1000;
  assert.equal(p.p99_ms, rank(0.99), JSON.stringify(p));
  assert.equal(p.p50_ms, rank(0.5), JSON.stringify(p));
  // b's requests (timers of 10 ms) are far more than 1 % of the pool: its p99 is one of them or above.
  assert.ok(b.requests > every.length / 100 && p.p99_ms >= 10, JSON.stringify({ p, b: b.requests }));
  assert.throws(() => pool([]), /no samples/);
});

test('the window opens after the warm-up and closes once, also when the last request ends early', async () => {
  const events: string[] = [];
  const t0 = performance.now();
  let openedAt = 0;
  await sampleLoad({ concurrency: 1, durationMs: 100, warmupMs: 50, call: () => new Promise((r) => setTimeout(r, 5)), window: { open: () => { openedAt = performance.now() - t0; events.push('open'); }, close: () => events.push('close') } });
  assert.deepEqual(events, ['open', 'close']);
  assert.ok(openedAt >= 45, `opened at ${openedAt} ms`);
});

test('CPU counters: this process, another process by pid, the machine; per request', () => {
  const burn = () => { let x = 0; for (let i = 0; i < 3e7; i++) x += i; return x; };
  const used: Record<string, number> = {};
  const w = cpuWindow({ self: process.pid, gone: 999_999_999 }, used);
  w.open();
  burn();
  w.close();
  assert.ok(used.self! > 5, JSON.stringify(used));
  assert.ok(used.machine! > 0, JSON.stringify(used));
  assert.equal(used.gone, undefined, 'an unreadable pid adds nothing');
  assert.equal(processCpuMs(999_999_999), null);
  assert.equal(processCpuMs(undefined), null);
  assert.ok((machineCpuMs() ?? 0) > 0);
  // Steal is a counter too: present on Linux, never negative, never more than the busy time.
  const steal = machineStealMs();
  assert.ok(steal !== null && steal >= 0 && steal <= machineCpuMs()!, String(steal));
  // A steal meter's reading is a share of all cores' time over its window: 0-100 %.
  const meter = stealMeter();
  const until = performance.now() + 20;
  while (performance.now() < until);
  const share = meter();
  assert.ok(share !== null && share >= 0 && share <= 100, String(share));
  // /proc/<pid>/stat of a live process (ours, read as another process would be read).
  assert.ok((processCpuMs(process.ppid) ?? -1) >= 0);
  assert.deepEqual(cpuPerRequestUs({ a: 2, b: 0.5 }, 1000), { a: 2, b: 1 });
  assert.deepEqual(cpuPerRequestUs({ a: 2 }, 0), { a: null });
});

test('prewarm: 1 s turns on each call in turn, nothing returned', async () => {
  const order: string[] = [];
  const call = (name: string) => () => { order.push(name); return new Promise((r) => setTimeout(r, 5)); };
  const t0 = performance.now();
  await prewarm([call('a'), call('b')], 2, 2);
  const ms = performance.now() - t0;
  assert.ok(ms >= 3900 && ms < 8000, `${ms} ms for 2 turns of 2 calls`);
  // Turns alternate: a, b, a, b (each a run of calls).
  const runs = order.filter((x, i) => i === 0 || order[i - 1] !== x);
  assert.deepEqual(runs, ['a', 'b', 'a', 'b']);
});

test('pacedClient: n calls in order, each answered call timed, failures counted not thrown', async () => {
  const seen: number[] = [];
  const r = await pacedClient(async (i) => { seen.push(i); if (i % 3 === 2) throw new Error('refused'); }, 7, 1);
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(r.errors, 2);
  assert.equal(r.lat.length, 5);
  assert.ok(r.lat.every((ms) => Number.isFinite(ms) && ms >= 0));
});

test('pairedRatio: geometric mean of the pairs with a t interval on the logs', async () => {
  const { pairedRatio } = await import('./load.ts');
  assert.equal(pairedRatio([]), null);
  assert.deepEqual(pairedRatio([[2, 1]]), { pairs: 1, geo_mean: 2, ci95: null });
  // Equal ratios: no spread, the interval is the point.
  assert.deepEqual(pairedRatio([[9, 10], [18, 20], [0.9, 1]]), { pairs: 3, geo_mean: 0.9, ci95: [0.9, 0.9] });
  // 0.5 and 2: geometric mean 1; logs ±ln 2, sd ln2·√2, t(1) = 12.706, half = 12.706·ln 2.
  const r = pairedRatio([[1, 2], [2, 1], [0, 5]])!;
  assert.equal(r.pairs, 2, 'a pair with a zero is left out');
  assert.equal(r.geo_mean, 1);
  assert.ok(Math.abs(r.ci95![0] - Math.exp(-12.706 * Math.LN2)) < 1e-4 && Math.abs(r.ci95![1] - Math.exp(12.706 * Math.LN2)) / Math.exp(12.706 * Math.LN2) < 1e-3, JSON.stringify(r));
  // Beyond 31 pairs the normal quantile: 40 pairs alternating 0.9 and 1.1.
  const many = pairedRatio(Array.from({ length: 40 }, (_, i) => [i % 2 ? 1.1 : 0.9, 1] as const))!;
  const logs = Array.from({ length: 40 }, (_, i) => Math.log(i % 2 ? 1.1 : 0.9));
  const m = logs.reduce((a, b) => a + b) / 40, sd = Math.sqrt(logs.reduce((a, x) => a + (x - m) ** 2, 0) / 39);
  assert.ok(Math.abs(many.ci95![0] - Math.exp(m - 1.96 * sd / Math.sqrt(40))) < 1e-4, JSON.stringify(many));
});

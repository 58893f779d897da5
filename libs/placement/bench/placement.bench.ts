// Placement fast-path benchmark: a placement table of N executors across 10 models, 2 pools and
// 3 regions (each executor serves one model), indexed once with indexTable; then decide() runs
// over the routes the way the gateway calls it: route (and region) lookup + decide with a live
// in-flight view, a deadline on most requests, and an injected PRNG.
//
//   node_modules/.bin/node libs/placement/bench/placement.bench.ts [--seconds 2] [--executors 10,100,1000,10000]
//
// decisions_per_s: decisions over the whole run (one core, no timing inside the loop).
// p99_us: from a separate pass that times every decision individually (includes ~0.05 us timer cost).
import { fileURLToPath } from 'node:url';
import type { PlacementTable__Output, ModelRoute__Output } from '@switchyard/proto';
import { Placer, indexTable } from '../src/index.ts';
import type { Candidate, PlacementContext, PlacementRequest } from '../src/index.ts';
import { seeded } from '../src/fixtures.ts';

const MODELS = 10;
const REGIONS = ['eu-west', 'us-east', 'ae-dubai'];
const PREFIXES = ['eu', 'us', 'ae'];

function makeTable(executors: number, rnd: () => number): PlacementTable__Output {
  const routes: ModelRoute__Output[] = [];
  for (let m = 0; m < MODELS; m++) routes.push({ model_name: `model-${m}`, model_version: '1', candidates: [] });
  for (let i = 0; i < executors; i++) {
    const gpu = i % 2 === 0;
    const region = REGIONS[Math.floor(i / 2) % 3]!;
    const maxBatch = gpu ? 16 : 4;
    const base = gpu ? 2 + rnd() * 2 : 8 + rnd() * 8;
    const c: Candidate = {
      executor_id: `exec-${i}`,
      address: `10.0.${i >> 8}.${i & 255}:${gpu ? 7410 : 7420}`,
      pool: gpu ? 'POOL_GPU' : 'POOL_CPU',
      region,
      spiffe_id: `spiffe://switchyard.local/${gpu ? 'gpu' : 'cpu'}-executor`,
      queue_depth: Math.floor(rnd() * maxBatch * 3),
      in_flight: Math.floor(rnd() * maxBatch),
      service_times: [
        { batch_size: 1, ms: base },
        { batch_size: maxBatch / 2, ms: base * (gpu ? 1.5 : 2.5) },
        { batch_size: maxBatch, ms: base * (gpu ? 2.2 : 4.5) },
      ],
      cost_per_hour: gpu ? 2.5 : 0.2,
      healthy: rnd() > 0.02,
      cpu_fallback: false,
      max_batch_size: maxBatch,
    };
    routes[Math.floor(i / 6) % MODELS]!.candidates.push(c);
  }
  const latest: Record<string, string> = {};
  for (let m = 0; m < MODELS; m++) latest[`model-${m}`] = '1';
  return { version: 1, generated_at_ms: 0, routes, latest_versions: latest };
}

export interface BenchRow {
  executors: number;
  /** Decisions per wall-clock second on one thread. */
  decisions_per_s: number;
  /** Decisions per second of this process's CPU time (robust when other work shares the cores). */
  decisions_per_cpu_s: number;
  p99_us: number;
}

export async function runPlacementBench(opts: { executors: number[]; seconds: number }): Promise<BenchRow[]> {
  const out: BenchRow[] = [];
  for (const n of opts.executors) {
    const rnd = seeded(n);
    const index = indexTable(makeTable(n, rnd));
    const placer = new Placer();
    const live = new Map<string, number>();
    const ctx: PlacementContext = { nowMs: 0, random: rnd, live: { inFlight: (id) => live.get(id) ?? 0 } };
    // A fixed set of request shapes (the gateway builds one per call; building is not what we measure).
    const reqs: PlacementRequest[] = [];
    const none: ReadonlySet<string> = new Set();
    for (let k = 0; k < 64; k++) {
      const region = k % 4 === 3 ? undefined : PREFIXES[k % 3];
      const req: PlacementRequest = {
        model: `model-${k % MODELS}`, version: '1', poolPreference: 'auto', priority: 0,
        exclude: k % 16 === 5 ? new Set([`exec-${k}`]) : none,
      };
      if (region !== undefined) req.region = region;
      if (k % 5 !== 0) req.deadlineMs = 20 + (k % 7) * 15;
      reqs.push(req);
    }
    let placed = 0, sink = 0;
    const one = (i: number): void => {
      const req = reqs[i & 63]!;
      const cands = index.candidatesFor(req.model, req.version, req.region) ?? [];
      const d = placer.decide(req, cands, ctx);
      if (d.placed) { placed++; sink += d.predictedMs!; }
    };
    // warm up
    for (let i = 0; i < 20000; i++) one(i);
    // throughput
    const budgetNs = BigInt(Math.round(opts.seconds * 1e9));
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    let i = 0;
    let elapsed: bigint;
    for (;;) {
      for (let j = 0; j < 1024; j++) one(i++);
      elapsed = process.hrtime.bigint() - t0;
      if (elapsed >= budgetNs) break;
    }
    const cpu = process.cpuUsage(cpu0);
    const decisionsPerS = (i * 1e9) / Number(elapsed);
    const decisionsPerCpuS = (i * 1e6) / (cpu.user + cpu.system);
    // latency pass
    const samples = new Float64Array(Math.min(200000, Math.max(10000, Math.floor(decisionsPerS * 0.2))));
    for (let s = 0; s < samples.length; s++) {
      const a = process.hrtime.bigint();
      one(i++);
      samples[s] = Number(process.hrtime.bigint() - a) / 1000;
    }
    samples.sort();
    const p99 = samples[Math.floor(samples.length * 0.99)]!;
    if (placed === 0 || !Number.isFinite(sink)) throw new Error('bench placed nothing');
    out.push({ executors: n, decisions_per_s: Math.round(decisionsPerS), decisions_per_cpu_s: Math.round(decisionsPerCpuS), p99_us: Math.round(p99 * 100) / 100 });
    await new Promise((r) => setImmediate(r));
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string): string | undefined => {
    const k = process.argv.indexOf(`--${name}`);
    return k >= 0 ? process.argv[k + 1] : undefined;
  };
  const executors = (arg('executors') ?? '10,100,1000,10000').split(',').map(Number);
  const seconds = Number(arg('seconds') ?? 2);
  const rows = await runPlacementBench({ executors, seconds });
  process.stdout.write('executors  candidates/route  decisions/s  decisions/cpu-s   p99 (us)\n');
  for (const r of rows) {
    const perRoute = Math.ceil(r.executors / MODELS);
    process.stdout.write(`${String(r.executors).padStart(9)}  ${String(perRoute).padStart(16)}  ${String(r.decisions_per_s).padStart(11)}  ${String(r.decisions_per_cpu_s).padStart(15)}  ${r.p99_us.toFixed(2).padStart(9)}\n`);
  }
}

// `npm run bench -- --suite executor|placement|mesh|telemetry|onnxruntime|fairness [--out FILE] [--quick] [options]`
// Progress lines go to stderr, a table to stdout, JSON to --out (default bench-results/<suite>.json).
//
// Options (defaults in brackets; --quick shortens every phase for a smoke run):
//   --duration S        measuring window per point, seconds [5; quick 0.5]
//   --warmup S          warm-up before each point, seconds [1; quick 0.2]
//   --concurrency LIST  executor [1,8,32,64], mesh [1,64]
//   --models LIST       executor suite models [ocr_cls,mlp]; onnxruntime suite [ocr_cls]
//   --batching LIST     executor suite configurations [off,on]
//   --model NAME        mesh suite model [identity_fp32]
//   --executors LIST    placement table sizes [10,100,1000,10000; quick 10,100]
//   --seconds S         placement: seconds per size; onnxruntime: per point [2; quick 0.2]
//   --threads LIST      onnxruntime: intra-op threads, 0 = onnxruntime's default [0,1,2]
//   --batches LIST      onnxruntime: batch sizes [1,8,16,32]
//   --rounds N          executor, mesh: windows per point, the compared configurations interleaved [3; quick 1]
//   --profile-dir DIR   mesh: write a V8 CPU profile of the gateway process there
//   --slices N          telemetry: load slices per mode, alternating on/off [6; quick 1]
//   --prewarm S         telemetry, mesh: unmeasured load before measuring, seconds [20; quick 0]
//   --no-otlp           telemetry: "on" without OTLP trace export (spans made, not exported)
//   --sample-ratio R    telemetry: trace head-sampling ratio of the "on" mesh [unset = the services' default, 0.1]
//   --calibrate         telemetry: A/A run, the "on" mesh without telemetry too (the method's own spread)
//   --restarts N        telemetry: repeat the measurement on N fresh pairs of meshes; the interval across them [1]
//   --device-ms D       fairness: each executor holds every batch D ms longer off the CPU, as a GPU would [0]
//   --requests N        fairness: the quiet tenant's requests per phase [200; quick 20]
//   --rounds N          fairness: rounds of (alone, shared) phases, alternating in order [4; quick 1]
//   --fair-slots N      fairness: the gateway's fair-share slots per executor [1]
//   --prewarm S         fairness: load on the mesh before the first phase [10; quick 0.5]
//   (fairness --model: the model both tenants call [ocr_cls])
// Environment passes through to the executor processes (SY_SESSION_WORKERS, SY_INTRA_OP_THREADS, ...).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '@switchyard/launcher';
import { runPlacementBench } from '../../libs/placement/bench/placement.bench.ts';
import { table } from '../cli/client.ts';
import { runExecutorBench } from './executor.ts';
import { runMeshBench } from './mesh.ts';
import { runTelemetryBench } from './telemetry.ts';
import { runOrtBench, batchGains } from './onnxruntime.ts';
import { runFairnessBench, type FairnessPhase } from './fairness.ts';
import { DEFAULT_TRACE_SAMPLE_RATIO } from '@switchyard/otel';

const USAGE = 'usage: npm run bench -- --suite executor|placement|mesh|telemetry|onnxruntime|fairness [--device-ms D] [--requests N] [--fair-slots N] [--threads 0,1,2] [--batches 1,8,16,32] [--slices N] [--restarts N] [--calibrate] [--no-otlp] [--sample-ratio R] [--prewarm S] [--rounds N] [--out FILE] [--quick] [--duration S] [--warmup S] [--concurrency 1,8] [--models a,b] [--batching off,on] [--model NAME] [--executors 10,100] [--seconds S] [--profile-dir DIR]';

function fail(msg: string): never {
  process.stderr.write(`bench: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    suite: { type: 'string' }, out: { type: 'string' }, quick: { type: 'boolean', default: false },
    duration: { type: 'string' }, warmup: { type: 'string' }, concurrency: { type: 'string' },
    models: { type: 'string' }, batching: { type: 'string' }, model: { type: 'string' },
    executors: { type: 'string' }, seconds: { type: 'string' }, 'profile-dir': { type: 'string' }, slices: { type: 'string' }, restarts: { type: 'string' }, prewarm: { type: 'string' }, rounds: { type: 'string' }, 'no-otlp': { type: 'boolean', default: false }, calibrate: { type: 'boolean', default: false }, 'sample-ratio': { type: 'string' }, threads: { type: 'string' }, batches: { type: 'string' }, 'device-ms': { type: 'string' }, requests: { type: 'string' }, 'fair-slots': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) { process.stdout.write(USAGE + '\n'); process.exit(0); }
const suite = values.suite;
if (suite !== 'executor' && suite !== 'placement' && suite !== 'mesh' && suite !== 'telemetry' && suite !== 'onnxruntime' && suite !== 'fairness') fail(`--suite must be executor, placement, mesh, telemetry, onnxruntime or fairness, got ${suite ?? '(none)'}`);
const quick = values.quick!;
const num = (name: string, v: string | undefined, dflt: number): number => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) fail(`--${name} must be a positive number, got ${v}`);
  return n;
};
const ints = (name: string, v: string | undefined, dflt: number[]): number[] => {
  if (v === undefined) return dflt;
  const a = v.split(',').map(Number);
  if (a.length === 0 || a.some((n) => !Number.isInteger(n) || n < 1)) fail(`--${name} must be a comma-separated list of positive integers, got ${v}`);
  return a;
};
const durationMs = num('duration', values.duration, quick ? 0.5 : 5) * 1000;
const warmupMs = num('warmup', values.warmup, quick ? 0.2 : 1) * 1000;
const rounds = Math.floor(num('rounds', values.rounds, quick ? 1 : 3));
const prewarmS = num('prewarm', values.prewarm, quick ? 0 : 20);
/** CPU µs per request of one counter, for the tables. */
const us = (r: { cpu_us_per_request: Record<string, number | null> }, k: string): string => { const v = r.cpu_us_per_request[k]; return v === null || v === undefined ? '-' : String(v); };
const out = path.resolve(values.out ?? path.join(REPO_ROOT, 'bench-results', `${suite}.json`));
const t0 = Date.now();
const progress = (line: string) => process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
const machine = { nproc: os.availableParallelism(), cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${os.platform()} ${os.release()}` };

let doc: Record<string, unknown>;
let text: string;
const f = (v: number | null | undefined, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(d));

if (suite === 'executor') {
  const batching = (values.batching ?? 'off,on').split(',');
  if (batching.some((b) => b !== 'on' && b !== 'off')) fail(`--batching must list off and/or on, got ${values.batching}`);
  const rows = await runExecutorBench({
    models: (values.models ?? 'ocr_cls,mlp').split(','),
    concurrency: ints('concurrency', values.concurrency, [1, 8, 32, 64]),
    durationMs, warmupMs, rounds, batching: batching as Array<'on' | 'off'>, progress,
  });
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k === 'SY_SESSION_WORKERS' || k === 'SY_INTRA_OP_THREADS' || k === 'SY_INTER_OP_THREADS'));
  // Acceptance (issue "Executors"): ocr_cls at concurrency 32, batching on vs off.
  const on = rows.find((r) => r.model === 'ocr_cls' && r.batching === 'on' && r.concurrency === 32);
  const off = rows.find((r) => r.model === 'ocr_cls' && r.batching === 'off' && r.concurrency === 32);
  const acceptance = on && off ? {
    throughput_ratio_c32: Math.round((on.throughput_rps / off.throughput_rps) * 1000) / 1000,
    p99_ratio_c32: Math.round((on.p99_ms / off.p99_ms) * 1000) / 1000,
  } : null;
  doc = { suite, machine, env, duration_s: durationMs / 1000, rounds, results: rows, acceptance };
  text = table(['model', 'batching', 'concurrency', 'throughput_rps', 'p50_ms', 'p99_ms', 'errors', 'round_rps', 'executor_cpu_us', 'client_cpu_us'],
    rows.map((r) => [r.model, r.batching, r.concurrency, f(r.throughput_rps, 1), f(r.p50_ms), f(r.p99_ms), r.errors, r.round_rps.map((x) => x.toFixed(0)).join('/'), us(r, 'executor'), us(r, 'client')]));
  if (acceptance) {
    const perRound = on!.round_rps.map((x, i) => (off!.round_rps[i]! > 0 ? x / off!.round_rps[i]! : 0).toFixed(2)).join(', ');
    text += `\n\nocr_cls c=32: throughput on/off ${acceptance.throughput_ratio_c32}x over ${rounds} interleaved round(s) [per round ${perRound}] (target >= 1.8), p99 on/off ${acceptance.p99_ratio_c32}x (target <= 2)`;
  }
} else if (suite === 'onnxruntime') {
  const threadsArg = values.threads ?? '0,1,2';
  const threads = threadsArg.split(',').map(Number);
  if (threads.some((n) => !Number.isInteger(n) || n < 0)) fail(`--threads must be a comma-separated list of integers >= 0 (0 = onnxruntime's default), got ${threadsArg}`);
  const seconds = num('seconds', values.seconds, quick ? 0.2 : 2);
  const rows = await runOrtBench({ models: (values.models ?? 'ocr_cls').split(','), threads, batches: ints('batches', values.batches, [1, 8, 16, 32]), seconds, progress });
  const gains = batchGains(rows);
  doc = { suite, machine, seconds, results: rows, batch_gain: gains };
  text = table(['model', 'intra_op_threads', 'batch', 'items_per_s', 'cpu_us_per_item', 'run_ms'],
    rows.map((r) => [r.model, r.intra_op_threads || 'default', r.batch, r.items_per_s, r.cpu_us_per_item, f(r.run_ms)]));
  text += '\n\n' + gains.map((g) => `${g.model} threads=${g.intra_op_threads || 'default'}: items/s at batch ${g.batch} over batch 1: ${g.gain}x`).join('\n');
} else if (suite === 'fairness') {
  const model = values.model ?? 'ocr_cls';
  const deviceMs = values['device-ms'] === undefined || values['device-ms'] === '0' ? 0 : num('device-ms', values['device-ms'], 0);
  const fairSlots = values['fair-slots'] === '0' ? 0 : Math.floor(num('fair-slots', values['fair-slots'], 1));
  // Issue 5's scenario: the heavy tenant offers 10x the quiet one's load at the same pace.
  const heavyClients = 10, thinkMs = 10;
  const r = await runFairnessBench({
    model, deviceMs, fairSlots, requests: Math.floor(num('requests', values.requests, quick ? 20 : 200)),
    rounds: Math.floor(num('rounds', values.rounds, quick ? 1 : 4)), heavyClients, thinkMs,
    warmupMs: num('prewarm', values.prewarm, quick ? 0.5 : 10) * 1000, progress,
  });
  doc = { suite, machine, model, device_ms: deviceMs, fair_slots_per_executor: fairSlots, heavy_clients: heavyClients, think_ms: thinkMs, phases: r.phases, alone: r.alone, shared: r.shared, heavy: r.heavy, p99_ratio: r.p99_ratio, round_ratios: r.round_ratios, steal_pct: r.steal_pct, target: 1.5 };
  // CPU by process group, % of one core: where the shared phase's extra CPU goes.
  const cpu = (x: FairnessPhase, names: (n: string) => boolean): string => {
    const v = Object.entries(x.cpu_pct).filter(([n]) => names(n)).map(([, c]) => c);
    return v.length && v.every((c) => c !== null) ? (v as number[]).reduce((a, c) => a + c, 0).toFixed(0) : '-';
  };
  text = table(['round', 'phase', 'requests', 'errors', 'p50_ms', 'p99_ms', 'max_ms', 'heavy_requests', 'heavy_errors', 'heavy_p50_ms', 'background_requests', 'machine_busy_%', 'steal_%', 'gateway_cpu_%', 'executors_cpu_%', 'clients_cpu_%', 'others_cpu_%'],
    r.phases.map((x) => [x.round, x.phase, x.requests, x.errors, f(x.p50_ms), f(x.p99_ms), f(x.max_ms), x.heavy_requests, x.heavy_errors, f(x.heavy_p50_ms), x.background_requests, x.machine_busy_pct ?? '-', x.steal_pct ?? '-',
      cpu(x, (n) => n === 'gateway'), cpu(x, (n) => n.includes('executor')), cpu(x, (n) => n.endsWith('_client')), cpu(x, (n) => n !== 'gateway' && !n.includes('executor') && !n.endsWith('_client'))]));
  text += `\n\nquiet tenant, all rounds: alone p50 ${f(r.alone.p50_ms)} p99 ${f(r.alone.p99_ms)} ms (${r.alone.requests}), with the heavy tenant p50 ${f(r.shared.p50_ms)} p99 ${f(r.shared.p99_ms)} ms (${r.shared.requests}); heavy tenant p50 ${f(r.heavy.p50_ms)} p99 ${f(r.heavy.p99_ms)} ms (${r.heavy.requests})`;
  text += `\nquiet p99 with the heavy tenant / alone: ${f(r.p99_ratio, 3)} (target <= 1.5) [per round ${r.round_ratios.join(', ')}]; ${model}${deviceMs ? `, ${deviceMs} ms device time per batch` : ', on the CPU'}`;
  if (r.steal_pct.shared !== null) {
    text += `\nhypervisor steal: ${r.steal_pct.alone}% of the machine's CPU time alone, ${r.steal_pct.shared}% shared`;
    if (Math.max(r.steal_pct.alone ?? 0, r.steal_pct.shared) > 1) text += ' (the host ran something else on these cores during the run: its stalls are in the figures too)';
  }
} else if (suite === 'placement') {
  const executors = ints('executors', values.executors, quick ? [10, 100] : [10, 100, 1000, 10000]);
  const seconds = num('seconds', values.seconds, quick ? 0.2 : 2);
  progress(`placement: ${executors.join(', ')} executors, ${seconds} s each`);
  const rows = await runPlacementBench({ executors, seconds });
  doc = { suite, machine, seconds, results: rows };
  text = table(['executors', 'decisions_per_s', 'decisions_per_cpu_s', 'p99_us'], rows.map((r) => [r.executors, r.decisions_per_s, r.decisions_per_cpu_s, f(r.p99_us)]));
} else if (suite === 'telemetry') {
  const model = values.model ?? 'identity_fp32';
  const restarts = num('restarts', values.restarts, 1);
  if (!Number.isInteger(restarts) || restarts < 1) fail(`--restarts must be a whole number >= 1, got ${values.restarts}`);
  const r = await runTelemetryBench({
    model, concurrency: ints('concurrency', values.concurrency, [64]), durationMs, warmupMs,
    slices: num('slices', values.slices, quick ? 1 : 6), restarts, prewarmMs: prewarmS * 1000, otlp: !values['no-otlp'], calibrate: values.calibrate, ...(values['sample-ratio'] !== undefined ? { sampleRatio: Number(values['sample-ratio']) } : {}), progress,
  });
  // Unset: the services' default (libs/otel), which records no new trace where nothing exports.
  const sampleRatio = values.calibrate ? 0 : values['sample-ratio'] !== undefined ? Number(values['sample-ratio']) : values['no-otlp'] ? 0 : DEFAULT_TRACE_SAMPLE_RATIO;
  const exported = !values.calibrate && !values['no-otlp'];
  doc = { suite, machine, model, otlp_export: exported, sample_ratio: sampleRatio, prewarm_s: prewarmS, slice_s: durationMs / 1000, restarts, results: r.results, summary: r.summary, calibration: values.calibrate, ratio_on_over_off: r.ratio_by_concurrency, paired_on_over_off: r.paired_by_concurrency, by_restart: r.by_restart, across_restarts_on_over_off: r.across_restarts_by_concurrency, across_restarts_cpu_on_over_off: r.across_restarts_cpu, otlp_exports_total: r.otlp_exports_total, whole_run: r.whole_run, whole_run_cpu_on_over_off: r.whole_run_cpu_ratio, target: 0.9 };
  text = table(['mode', 'restart', 'slice', 'concurrency', 'throughput_rps', 'p50_ms', 'p99_ms', 'errors', 'otlp_exports'],
    r.results.map((x) => [x.mode, x.restart, x.slice, x.concurrency, f(x.throughput_rps, 1), f(x.p50_ms, 3), f(x.p99_ms, 3), x.errors, x.otlp_exports]));
  text += '\n\n' + table(['mode', 'concurrency', 'requests', 'throughput_rps', 'median_slice_rps', 'gateway_cpu_us', 'gpu_ex_cpu_us', 'cpu_ex_cpu_us', 'telemetry_cpu_us', 'client_cpu_us', 'machine_cpu_us'],
    r.summary.map((x) => [x.mode, x.concurrency, x.requests, f(x.throughput_rps, 1), f(x.median_slice_rps, 1), us(x, 'gateway'), us(x, 'gpu-executor-1'), us(x, 'cpu-executor-1'), us(x, 'telemetry'), us(x, 'client'), us(x, 'machine')]));
  text += `\n\nthroughput telemetry on / off: ${Object.entries(r.ratio_by_concurrency).map(([c, v]) => `c=${c}: ${f(v, 3)}`).join(', ')} (target >= 0.9); ${values.calibrate ? 'calibration: no telemetry in either mesh' : `traces sampled: ${sampleRatio}${values['sample-ratio'] === undefined ? ' (the default)' : ''}, ${exported ? 'exported over OTLP' : 'not exported'}`}`;
  const ci = (p: { geo_mean: number; ci95: [number, number] | null } | null): string => (p ? `${f(p.geo_mean, 3)}${p.ci95 ? ` [${f(p.ci95[0], 3)}, ${f(p.ci95[1], 3)}]` : ''}` : '-');
  text += `\npaired by slice (geometric mean of each slice's on/off, 95 % interval): ${Object.entries(r.paired_by_concurrency).map(([c, p]) => `c=${c}: ${p ? `${ci(p)} over ${p.pairs} pairs` : '-'}`).join(', ')}`;
  if (restarts > 1) {
    text += '\n\n' + table(['restart', 'concurrency', 'paired_on_over_off', 'ci95', 'pairs', 'whole_run_cpu_on_over_off'],
      r.by_restart.map((b) => [b.restart, b.concurrency, f(b.paired?.geo_mean, 3), b.paired?.ci95 ? `${f(b.paired.ci95[0], 3)}-${f(b.paired.ci95[1], 3)}` : '-', b.paired?.pairs ?? 0, f(b.whole_run_cpu_ratio, 3)]));
    text += `\nacross restarts (geometric mean of the restarts' paired estimates, 95 % interval on them): ${Object.entries(r.across_restarts_by_concurrency).map(([c, p]) => `c=${c}: ${ci(p)} over ${p?.pairs ?? 0} restarts`).join(', ')}; whole-run CPU on / off ${ci(r.across_restarts_cpu)}`;
  }
  if (values.calibrate) text += '\ncalibration (--calibrate): both meshes ran WITHOUT telemetry; the ratios above are the method\'s own spread, not an overhead';
  text += `\nmesh CPU per request over the whole run (deferred work included): ${r.whole_run.map((w) => `${w.mode} ${f(w.mesh_cpu_us_per_request, 0)} µs (${w.requests} requests, ${f(w.mean_batch_size, 2)} per batch)`).join(', ')}; on / off ${f(r.whole_run_cpu_ratio, 3)}`;
} else {
  const r = await runMeshBench({
    model: values.model ?? 'identity_fp32',
    concurrency: ints('concurrency', values.concurrency, [1, 64]),
    durationMs, warmupMs, rounds, progress, prewarmMs: prewarmS * 1000,
    ...(values['profile-dir'] ? { profileDir: values['profile-dir'] } : {}),
  });
  doc = { suite, machine, model: values.model ?? 'identity_fp32', executor_id: r.executor_id, duration_s: durationMs / 1000, rounds, prewarm_s: prewarmS, results: r.results, overhead: r.overhead };
  text = table(['path', 'concurrency', 'throughput_rps', 'p50_ms', 'p99_ms', 'errors', 'round_rps', 'gateway_cpu_us', 'executor_cpu_us', 'client_cpu_us', 'machine_cpu_us'],
    r.results.map((x) => [x.path, x.concurrency, f(x.throughput_rps, 1), f(x.p50_ms, 3), f(x.p99_ms, 3), x.errors, x.round_rps.map((v) => v.toFixed(0)).join('/'), us(x, 'gateway'), us(x, 'executor'), us(x, 'client'), us(x, 'machine')]));
  text += `\n\ngateway p50 added at c=1: ${f(r.overhead.p50_added_ms_c1, 3)} ms (target <= 1); gateway/direct throughput at c=${Math.max(...(r.results.map((x) => x.concurrency)))}: ${f(r.overhead.throughput_ratio_c64, 3)} over ${rounds} interleaved round(s) [per round ${r.overhead.round_ratios.join(', ')}] (target >= 0.6)`;
}

fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
process.stdout.write(text + '\n');
progress(`wrote ${out}`);
process.exit(0);

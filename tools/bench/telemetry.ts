// Telemetry overhead suite: mesh throughput with telemetry on vs off, in the same run.
//   on  = the default mesh (every service preloaded with @switchyard/otel/register: gRPC spans,
//         Prometheus endpoints, the telemetry service's metrics, series and dashboard) plus
//         OTLP/HTTP trace export from every service to a sink collector in this process.
//   off = the same mesh with SY_OTEL_DISABLED=true for every service: no preload, no SDK
//         (startTelemetry returns no-ops), no metrics endpoint, no trace export.
// Both meshes run at once (an idle mesh costs little: heartbeats), and the load alternates
// between them in short slices (off/on, on/off, ...), so drift on a shared machine hits both
// modes alike; each slice's on/off pair also gives one ratio, and their geometric mean with a
// 95 % confidence interval says how precisely the run measured it. `calibrate` runs the "on"
// mesh without telemetry as well (an A/A run): its ratio and interval are the method's own
// spread on this machine. `restarts` repeats all of it on fresh pairs of meshes: runs differ by
// more than their slices do, so the interval across restarts is the one to read. Closed-loop ModelInfer load through each gateway (token, mTLS, placement left to
// the gateway, tenant quota lifted).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { startMesh, type Mesh } from '@switchyard/launcher';
import type { ModelMetadataResponse__Output } from '@switchyard/proto';
import { connectGateway, makeRequest, type GatewayConn } from '../cli/client.ts';
import { prewarm, runLoad, round, pairedRatio, type LoadResult, type PairedRatio } from './load.ts';
import { cpuWindow, cpuPerRequestUs, processCpuMs } from './cpu.ts';

export interface TelemetryBenchOptions {
  model: string;
  concurrency: number[];
  /** Measuring window of one slice. */
  durationMs: number;
  warmupMs: number;
  /** Slices per mode and concurrency. */
  slices: number;
  /** Unmeasured load on each mesh before the first slice, in 1 s turns alternating between the
   *  meshes (default 0; load.ts prewarm): the mesh with telemetry has more code to warm. */
  prewarmMs?: number;
  /** Export traces over OTLP in the "on" mode (default true). */
  otlp?: boolean;
  /** SY_OTEL_TRACE_SAMPLE_RATIO for the "on" mesh (default: unset = the services' default, libs/otel). */
  sampleRatio?: number;
  /** A/A calibration: the "on" mesh also runs with SY_OTEL_DISABLED (default false). */
  calibrate?: boolean;
  /** Times the whole measurement is repeated on a fresh pair of meshes (default 1): started
   *  (in alternating order), warmed up, measured in `slices` pairs, drained, stopped. Runs differ
   *  by more than their slices do (something fixed when a mesh starts moves its throughput for
   *  the whole run), so the interval that counts is the one across restarts. */
  restarts?: number;
  progress: (line: string) => void;
}

export interface TelemetryRow extends LoadResult { mode: 'on' | 'off'; restart: number; slice: number; otlp_exports: number }
export interface TelemetrySummary {
  mode: 'on' | 'off'; concurrency: number; requests: number; throughput_rps: number; median_slice_rps: number;
  /** CPU µs per request in the mode's windows: gateway, each executor, telemetry, client (this process, incl. the OTLP sink), machine. */
  cpu_us_per_request: Record<string, number | null>;
}

/**
 * CPU of all of a mesh's services from the first slice to DRAIN_MS after the last, per request it
 * served (warm-ups included). Unlike the per-window figures it also counts work a mesh defers past
 * its own slices: an OpenTelemetry batch span processor exports up to its delay after a span ends
 * (5 s by the SDK's default), by then during the other mode's slice.
 */
export interface WholeRunCpu {
  mode: 'on' | 'off'; restart: number; requests: number; mesh_cpu_us_per_request: number | null;
  /** The same per service (how the load split between the executors shows here). */
  service_cpu_us_per_request: Record<string, number> | null;
  /** Rows (inferences) per batch the mesh's executors ran over its life (ModelStatistics through
   *  the gateway: inference_count / execution_count; one row per request here). An executor's cost per request falls as its
   *  batches grow, so a mesh settling on smaller batches costs more per request for that alone. */
  mean_batch_size: number | null;
}

/** Longer than the SDK's default span export delay (5 s), so deferred exports are counted. */
const DRAIN_MS = 6000;

const SERVICES = ['policy', 'telemetry', 'placement-scheduler', 'gpu-executor-1', 'cpu-executor-1', 'gateway'];

export interface TelemetryBenchResult {
  results: TelemetryRow[];
  summary: TelemetrySummary[];
  /** Total throughput on / total throughput off, per concurrency. */
  ratio_by_concurrency: Record<string, number | null>;
  /** The same ratio from each slice's on/off pair: geometric mean and 95 % interval. */
  paired_by_concurrency: Record<string, PairedRatio | null>;
  /** Per restart and concurrency: the paired estimate of that restart's slices. */
  by_restart: Array<{ restart: number; concurrency: number; paired: PairedRatio | null; whole_run_cpu_ratio: number | null }>;
  /** Across restarts, per concurrency: geometric mean of the restarts' paired estimates and its
   *  95 % interval (t on their logs, restarts - 1 degrees of freedom); null with one restart. */
  across_restarts_by_concurrency: Record<string, PairedRatio | null>;
  /** The same across restarts for the whole-run CPU per request on / off. */
  across_restarts_cpu: PairedRatio | null;
  whole_run: WholeRunCpu[];
  /** Whole-run mesh CPU per request on / off (geometric mean over restarts). */
  whole_run_cpu_ratio: number | null;
  /** OTLP trace export requests the sink received over the run (drain included). */
  otlp_exports_total: number;
}

export async function runTelemetryBench(o: TelemetryBenchOptions): Promise<TelemetryBenchResult> {
  // OTLP sink: counts trace export requests (no decoding).
  let exports = 0;
  const sink = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/v1/traces') exports++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const otlp = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  const rows: TelemetryRow[] = [];
  const cpu = new Map<string, Record<string, number>>();
  const whole: WholeRunCpu[] = [];
  const restarts = o.restarts ?? 1;
  try {
    for (let restart = 1; restart <= restarts; restart++) {
      const tag = restarts > 1 ? ` (restart ${restart}/${restarts})` : '';
      await measureOnce(o, restart, tag, otlp, () => exports, rows, cpu, whole);
    }
  } finally {
    sink.closeAllConnections();
    sink.close();
  }
  const summary: TelemetrySummary[] = [];
  const ratio: Record<string, number | null> = {};
  const paired: Record<string, PairedRatio | null> = {};
  const across: Record<string, PairedRatio | null> = {};
  const byRestart: TelemetryBenchResult['by_restart'] = [];
  const pairsOf = (c: number, restart?: number): Array<[number, number]> => {
    const pairs: Array<[number, number]> = [];
    for (const on of rows.filter((r) => r.mode === 'on' && r.concurrency === c && (restart === undefined || r.restart === restart))) {
      const off = rows.find((r) => r.mode === 'off' && r.concurrency === c && r.restart === on.restart && r.slice === on.slice);
      if (off) pairs.push([on.throughput_rps, off.throughput_rps]);
    }
    return pairs;
  };
  const cpuRatio = (restart: number): number | null => {
    const wOn = whole.find((w) => w.mode === 'on' && w.restart === restart)?.mesh_cpu_us_per_request;
    const wOff = whole.find((w) => w.mode === 'off' && w.restart === restart)?.mesh_cpu_us_per_request;
    return wOn && wOff ? round(wOn / wOff, 3) : null;
  };
  for (const c of o.concurrency) {
    paired[String(c)] = pairedRatio(pairsOf(c));
    for (let restart = 1; restart <= restarts; restart++) byRestart.push({ restart, concurrency: c, paired: pairedRatio(pairsOf(c, restart)), whole_run_cpu_ratio: cpuRatio(restart) });
    across[String(c)] = restarts > 1 ? pairedRatio(byRestart.filter((b) => b.concurrency === c && b.paired).map((b) => [b.paired!.geo_mean, 1] as [number, number])) : null;
    for (const mode of ['off', 'on'] as const) {
      const mine = rows.filter((r) => r.mode === mode && r.concurrency === c);
      const requests = mine.reduce((a, r) => a + r.requests, 0);
      const sorted = mine.map((r) => r.throughput_rps).sort((a, b) => a - b);
      summary.push({ mode, concurrency: c, requests, throughput_rps: round(requests / ((mine.length * o.durationMs) / 1000), 1), median_slice_rps: sorted[Math.floor(sorted.length / 2)] ?? 0, cpu_us_per_request: cpuPerRequestUs(cpu.get(`${mode}/${c}`) ?? {}, requests) });
    }
    const on = summary.find((s) => s.mode === 'on' && s.concurrency === c)!;
    const off = summary.find((s) => s.mode === 'off' && s.concurrency === c)!;
    ratio[String(c)] = off.throughput_rps > 0 ? round(on.throughput_rps / off.throughput_rps, 3) : null;
  }
  const cpuRatios: Array<[number, number]> = [];
  for (let restart = 1; restart <= restarts; restart++) {
    const r = cpuRatio(restart);
    if (r !== null) cpuRatios.push([r, 1]);
  }
  const cpuAcross = pairedRatio(cpuRatios);
  return {
    results: rows, summary, ratio_by_concurrency: ratio, paired_by_concurrency: paired, by_restart: byRestart, across_restarts_by_concurrency: across,
    across_restarts_cpu: restarts > 1 ? cpuAcross : null, otlp_exports_total: exports, whole_run: whole, whole_run_cpu_ratio: cpuAcross ? round(cpuAcross.geo_mean, 3) : null,
  };
}

/** One measurement on a fresh pair of meshes: start, warm up, alternate slices, drain, stop. */
async function measureOnce(o: TelemetryBenchOptions, restart: number, tag: string, otlp: string, exports: () => number, rows: TelemetryRow[], cpu: Map<string, Record<string, number>>, whole: WholeRunCpu[]): Promise<void> {
  const meshes: Array<{ mode: 'on' | 'off'; mesh: Mesh; gw: GatewayConn; dir: string; req: unknown }> = [];
  const served = { on: 0, off: 0 };
  // CPU ms of each of a mesh's services (null when one cannot be read).
  const meshCpuMs = (m: { mesh: Mesh }): Record<string, number> | null => {
    const by: Record<string, number> = {};
    for (const [name, svc] of m.mesh.services) {
      const v = processCpuMs(svc.child.pid);
      if (v === null) return null;
      by[name] = v;
    }
    return by;
  };
  try {
    // The start order alternates between restarts: the mesh started second is not always the same one.
    for (const mode of restart % 2 === 1 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      const vars: Record<string, string> = mode === 'off' || o.calibrate ? { SY_OTEL_DISABLED: 'true' } : {
        ...(o.otlp === false ? {} : { SY_OTLP_ENDPOINT: otlp }),
        ...(o.sampleRatio !== undefined ? { SY_OTEL_TRACE_SAMPLE_RATIO: String(o.sampleRatio) } : {}),
      };
      // The tenant quota (2000 rps by default) is lifted so both modes measure serving, not refusals.
      const env = Object.fromEntries(SERVICES.map((s) => [s, s === 'gateway' ? { ...vars, SY_TENANT_RPS: '1000000' } : vars]));
      o.progress(`telemetry ${mode}: starting a mesh${tag}`);
      // One retry: the launcher picks free ports before the services bind them, and an outgoing
      // connection can take one in between (EADDRINUSE).
      let dir = fs.mkdtempSync(path.join(os.tmpdir(), `sy-bench-tel-${mode}-`));
      const mesh = await startMesh({ stateDir: dir, env }).catch((e: Error) => {
        o.progress(`telemetry ${mode}: mesh failed to start (${e.message.split('\n')[0]}); retrying once`);
        fs.rmSync(dir, { recursive: true, force: true });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), `sy-bench-tel-${mode}-`));
        return startMesh({ stateDir: dir, env });
      });
      const gw = connectGateway(mesh.endpoints);
      const entry = { mode, mesh, gw, dir, req: undefined as unknown };
      meshes.push(entry);
      const md = await gw.call<ModelMetadataResponse__Output>('ModelMetadata', { name: o.model });
      entry.req = makeRequest(md, { seed: 5 });
      await gw.call('ModelInfer', entry.req);
    }
    // Slices always begin with "off" on odd slices, whatever the start order.
    meshes.sort((a, b) => (a.mode === b.mode ? 0 : a.mode === 'off' ? -1 : 1));
    if (o.prewarmMs) {
      o.progress(`telemetry: warming both meshes up (${o.prewarmMs / 1000} s each)${tag}`);
      await prewarm(meshes.map((m) => () => m.gw.call('ModelInfer', m.req)), o.prewarmMs / 1000, Math.max(...o.concurrency));
    }
    const cpuStart = meshes.map((m) => meshCpuMs(m));
    for (const c of o.concurrency) {
      for (let slice = 1; slice <= o.slices; slice++) {
        const order = slice % 2 === 1 ? meshes : [...meshes].reverse();
        for (const m of order) {
          const before = exports();
          const key = `${m.mode}/${c}`;
          const used = cpu.get(key) ?? {};
          cpu.set(key, used);
          const pids = Object.fromEntries(['gateway', 'gpu-executor-1', 'cpu-executor-1', 'telemetry'].map((n) => [n, m.mesh.services.get(n)?.child.pid]));
          const r = await runLoad({ concurrency: c, durationMs: o.durationMs, warmupMs: o.warmupMs, call: () => m.gw.call('ModelInfer', m.req).then((x) => { served[m.mode]++; return x; }), window: cpuWindow({ ...pids, client: process.pid }, used) });
          rows.push({ mode: m.mode, restart, slice, otlp_exports: exports() - before, ...r });
          o.progress(`telemetry ${m.mode} c=${c} slice ${slice}${tag}: ${r.throughput_rps} rps, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms${r.errors ? `, ${r.errors} errors (${r.first_error})` : ''}`);
        }
      }
    }
    o.progress(`telemetry: ${DRAIN_MS / 1000} s for work the meshes deferred (span exports), then their whole-run CPU${tag}`);
    await new Promise((r) => setTimeout(r, DRAIN_MS));
    for (const [i, m] of meshes.entries()) {
      const a = cpuStart[i], b = meshCpuMs(m);
      const n = served[m.mode];
      const usPerRequest = a && b && n > 0 ? Object.entries(b).map(([k, v]) => [k, ((v - (a[k] ?? 0)) * 1000) / n] as const) : null;
      const perService = usPerRequest && Object.fromEntries(usPerRequest.map(([k, v]) => [k, round(v, 0)]));
      const total = usPerRequest && round(usPerRequest.reduce((x, [, v]) => x + v, 0), 0);
      const stats = await m.gw.call<{ model_stats: Array<{ inference_count: number | string; execution_count: number | string }> }>('ModelStatistics', { name: o.model });
      const inferences = stats.model_stats.reduce((s, x) => s + Number(x.inference_count), 0), runs = stats.model_stats.reduce((s, x) => s + Number(x.execution_count), 0);
      whole.push({ mode: m.mode, restart, requests: n, mesh_cpu_us_per_request: total, service_cpu_us_per_request: perService, mean_batch_size: runs > 0 ? round(inferences / runs, 2) : null });
    }
  } finally {
    for (const m of meshes) {
      m.gw.close();
      await m.mesh.stop();
      fs.rmSync(m.dir, { recursive: true, force: true });
    }
  }
}

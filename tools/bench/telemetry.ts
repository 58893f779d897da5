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
// spread on this machine. Closed-loop ModelInfer load through each gateway (token, mTLS, placement left to
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
  progress: (line: string) => void;
}

export interface TelemetryRow extends LoadResult { mode: 'on' | 'off'; slice: number; otlp_exports: number }
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
  mode: 'on' | 'off'; requests: number; mesh_cpu_us_per_request: number | null;
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
  whole_run: WholeRunCpu[];
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
  const meshes: Array<{ mode: 'on' | 'off'; mesh: Mesh; gw: GatewayConn; dir: string; req: unknown }> = [];
  const cpu = new Map<string, Record<string, number>>();
  const served = { on: 0, off: 0 };
  const meshCpuMs = (m: { mesh: Mesh }): number | null => {
    let sum = 0;
    for (const svc of m.mesh.services.values()) {
      const v = processCpuMs(svc.child.pid);
      if (v === null) return null;
      sum += v;
    }
    return sum;
  };
  const whole: WholeRunCpu[] = [];
  try {
    for (const mode of ['off', 'on'] as const) {
      const vars: Record<string, string> = mode === 'off' || o.calibrate ? { SY_OTEL_DISABLED: 'true' } : {
        ...(o.otlp === false ? {} : { SY_OTLP_ENDPOINT: otlp }),
        ...(o.sampleRatio !== undefined ? { SY_OTEL_TRACE_SAMPLE_RATIO: String(o.sampleRatio) } : {}),
      };
      // The tenant quota (2000 rps by default) is lifted so both modes measure serving, not refusals.
      const env = Object.fromEntries(SERVICES.map((s) => [s, s === 'gateway' ? { ...vars, SY_TENANT_RPS: '1000000' } : vars]));
      o.progress(`telemetry ${mode}: starting a mesh`);
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
      meshes.push({ mode, mesh, gw, dir, req: undefined });
      const md = await gw.call<ModelMetadataResponse__Output>('ModelMetadata', { name: o.model });
      meshes[meshes.length - 1]!.req = makeRequest(md, { seed: 5 });
      await gw.call('ModelInfer', meshes[meshes.length - 1]!.req);
    }
    if (o.prewarmMs) {
      o.progress(`telemetry: warming both meshes up (${o.prewarmMs / 1000} s each)`);
      await prewarm(meshes.map((m) => () => m.gw.call('ModelInfer', m.req)), o.prewarmMs / 1000, Math.max(...o.concurrency));
    }
    const cpuStart = meshes.map((m) => meshCpuMs(m));
    for (const c of o.concurrency) {
      for (let slice = 1; slice <= o.slices; slice++) {
        const order = slice % 2 === 1 ? meshes : [...meshes].reverse();
        for (const m of order) {
          const before = exports;
          const key = `${m.mode}/${c}`;
          const used = cpu.get(key) ?? {};
          cpu.set(key, used);
          const pids = Object.fromEntries(['gateway', 'gpu-executor-1', 'cpu-executor-1', 'telemetry'].map((n) => [n, m.mesh.services.get(n)?.child.pid]));
          const r = await runLoad({ concurrency: c, durationMs: o.durationMs, warmupMs: o.warmupMs, call: () => m.gw.call('ModelInfer', m.req).then((x) => { served[m.mode]++; return x; }), window: cpuWindow({ ...pids, client: process.pid }, used) });
          rows.push({ mode: m.mode, slice, otlp_exports: exports - before, ...r });
          o.progress(`telemetry ${m.mode} c=${c} slice ${slice}: ${r.throughput_rps} rps, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms${r.errors ? `, ${r.errors} errors (${r.first_error})` : ''}`);
        }
      }
    }
    o.progress(`telemetry: ${DRAIN_MS / 1000} s for work the meshes deferred (span exports), then their whole-run CPU`);
    await new Promise((r) => setTimeout(r, DRAIN_MS));
    for (const [i, m] of meshes.entries()) {
      const a = cpuStart[i], b = meshCpuMs(m);
      const n = served[m.mode];
      const stats = await m.gw.call<{ model_stats: Array<{ inference_count: number | string; execution_count: number | string }> }>('ModelStatistics', { name: o.model });
      const inferences = stats.model_stats.reduce((s, x) => s + Number(x.inference_count), 0), runs = stats.model_stats.reduce((s, x) => s + Number(x.execution_count), 0);
      whole.push({ mode: m.mode, requests: n, mesh_cpu_us_per_request: a === null || a === undefined || b === null || n === 0 ? null : round(((b - a) * 1000) / n, 0), mean_batch_size: runs > 0 ? round(inferences / runs, 2) : null });
    }
  } finally {
    for (const m of meshes) {
      m.gw.close();
      await m.mesh.stop();
      fs.rmSync(m.dir, { recursive: true, force: true });
    }
    sink.closeAllConnections();
    sink.close();
  }
  const summary: TelemetrySummary[] = [];
  const ratio: Record<string, number | null> = {};
  const paired: Record<string, PairedRatio | null> = {};
  for (const c of o.concurrency) {
    const pairs: Array<[number, number]> = [];
    for (let slice = 1; slice <= o.slices; slice++) {
      const on = rows.find((r) => r.mode === 'on' && r.concurrency === c && r.slice === slice);
      const off = rows.find((r) => r.mode === 'off' && r.concurrency === c && r.slice === slice);
      if (on && off) pairs.push([on.throughput_rps, off.throughput_rps]);
    }
    paired[String(c)] = pairedRatio(pairs);
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
  const wOn = whole.find((w) => w.mode === 'on')?.mesh_cpu_us_per_request, wOff = whole.find((w) => w.mode === 'off')?.mesh_cpu_us_per_request;
  return { results: rows, summary, ratio_by_concurrency: ratio, paired_by_concurrency: paired, otlp_exports_total: exports, whole_run: whole, whole_run_cpu_ratio: wOn && wOff ? round(wOn / wOff, 3) : null };
}

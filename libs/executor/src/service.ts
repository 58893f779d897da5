// The whole executor process: configuration, the engine, the mTLS Executor API, heartbeats on
// NATS and orderly shutdown. services/{gpu,cpu}-executor/src/main.ts only call runExecutorService.
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type * as grpc from '@grpc/grpc-js';
import { loadConfig, boolish, z } from '@switchyard/config';
import { startTelemetry, traceGrpcManually, startServerSpan, endRpcSpan, type PreAggregatedMetrics } from '@switchyard/otel';
import { createLogger, type Logger } from '@switchyard/log';
import { executorV1, codec, CPU_PRIORITY_METADATA, type Heartbeat, type Heartbeat__Output, type ExecutorHandlers, type ModelInferRequest__Output, type ModelInferResponse } from '@switchyard/proto';
import { MeshServer, DEFAULT_MAX_RECEIVE_BYTES, ensureDevPki, identityFromDir, onShutdown, spiffeIdOf, type MeshIdentity } from '@switchyard/mesh';
import { Bus, SUBJECTS } from '@switchyard/bus';
import { ExecutorEngine, defaultIntraOpThreads, type InferOptions, type InferTiming, type PoolName } from './engine.ts';
import { MainThreadPriority } from './cpu-priority.ts';
import { annotateInferSpan, EXECUTOR_INFER_METHOD, EXECUTOR_INFER_PATH } from './trace.ts';
import { InferStreamServer, EXECUTOR_INFER_STREAM_METHOD } from './infer-stream.ts';
import { prepareBundledRepository } from './repository.ts';
import { toServiceError } from './errors.ts';
import { executorMetrics } from './metrics.ts';

const int = z.coerce.number().int();

/**
 * Settings (flag --foo-bar or env SY_FOO_BAR):
 *   executorId            default '<pool>-<port>'
 *   region                default 'local'
 *   modelRepo             default .switchyard/models (then the bundled models are prepared there)
 *   bundledModels         true|false: write the bundled models into modelRepo at start
 *                         (default true when modelRepo is not set, else false)
 *   natsUrl               default nats://127.0.0.1:4222
 *   pkiDir                default .switchyard/pki (dev PKI created there when devPki)
 *   devPki                default true: create the dev CA/certificates when missing
 *   host                  default 127.0.0.1;  port: default gpu 7410, cpu 7420 (0 = any free)
 *   advertiseAddress      host:port put in heartbeats (default host:boundPort)
 *   healthPort            optional plaintext grpc.health.v1 listener (Kubernetes probes)
 *   metricsPort           Prometheus endpoint (GET /metrics; 0 = any free port); none by default
 *   metricsHost           interface of the metrics endpoint, default 0.0.0.0
 *   allowCpuFallback      gpu pool: run on CPU when no CUDA provider (default false: refuse to start)
 *   gpuProviders          'cuda' (default) or 'tensorrt,cuda'
 *   costPerHour           default gpu 2.5, cpu 0.4
 *   heartbeatMs           default 1000
 *   intraOpThreads        onnxruntime intra-op threads per session (default: the host's cores / sessionWorkers,
 *                         at least 1; 0 = onnxruntime's own default, a thread per physical core)
 *   interOpThreads, graphOptimizationLevel (disabled|basic|extended|all), enableCpuMemArena
 *   intraOpSpinning       let onnxruntime's worker threads spin-wait between runs (default false: a spinning
 *                         pool keeps a core busy while the executor waits, taking it from co-located processes)
 *   maxRequestBytes       decoded input size limit per request, default 64 MiB (over: RESOURCE_EXHAUSTED)
 *   drainMs               how long shutdown waits for in-flight requests, default 5000
 *   sessionWorkers        worker threads running onnxruntime sessions (default 2; run() blocks its thread)
 *   backgroundWorkers     more such threads at a lower CPU priority, for the requests the gateway marks
 *                         background (a tenant over its fair share while another is active; default 1;
 *                         0 = none: those requests run in the normal workers). Each holds every model too.
 *   backgroundNice        their nice value, 1-19 (default 10)
 *   faultDelayMs          TEST/CHAOS ONLY: extra ms slept in every batch run (default 0); logged at start
 *   faultFile             TEST/CHAOS ONLY: a file holding that delay, re-read every second: a number of ms
 *                         (every batch) and/or `model@version=ms` entries (that version only);
 *                         missing = faultDelayMs, empty/unparsable = 0
 */
export const executorSettings = {
  executorId: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only').optional(),
  region: z.string().default('local'),
  modelRepo: z.string().optional(),
  bundledModels: boolish.optional(),
  natsUrl: z.string().default('nats://127.0.0.1:4222'),
  pkiDir: z.string().default('.switchyard/pki'),
  devPki: boolish.default(true),
  host: z.string().default('127.0.0.1'),
  port: int.min(0).max(65535).optional(),
  advertiseAddress: z.string().optional(),
  healthPort: int.min(0).max(65535).optional(),
  metricsPort: int.min(0).max(65535).optional(),
  metricsHost: z.string().default('0.0.0.0'),
  allowCpuFallback: boolish.default(false),
  gpuProviders: z.enum(['cuda', 'tensorrt,cuda']).default('cuda'),
  costPerHour: z.coerce.number().min(0).optional(),
  heartbeatMs: int.min(50).default(1000),
  intraOpThreads: int.min(0).optional(),
  interOpThreads: int.min(0).optional(),
  graphOptimizationLevel: z.enum(['disabled', 'basic', 'extended', 'all']).optional(),
  enableCpuMemArena: boolish.optional(),
  intraOpSpinning: boolish.default(false),
  maxRequestBytes: int.positive().default(64 * 1024 * 1024),
  drainMs: int.min(0).default(5000),
  sessionWorkers: int.min(1).max(64).default(2),
  backgroundWorkers: int.min(0).max(64).default(1),
  backgroundNice: int.min(1).max(19).default(10),
  faultDelayMs: int.min(0).max(600_000).default(0),
  faultFile: z.string().min(1).optional(),
};

/**
 * Parses a fault file: a bare number of ms applies to every batch; `model@version=ms` entries
 * (separated by spaces, commas or new lines) apply to that model version only. Unparsable = none.
 */
export function parseFault(txt: string): { all: number; byVersion: Map<string, number> } {
  const byVersion = new Map<string, number>();
  let all = 0;
  for (const tok of txt.split(/[\s,]+/).filter(Boolean)) {
    const m = /^([^=@\s]+@[^=\s]+)=(\d+(?:\.\d+)?)$/.exec(tok);
    if (m) byVersion.set(m[1]!, Math.min(Number(m[2]), 600_000));
    else if (/^\d+(\.\d+)?$/.test(tok)) all = Math.min(Number(tok), 600_000);
  }
  return { all, byVersion };
}

/** The fault-injection delay: the fault file's content when it exists (re-read every second), else the setting. */
export function faultDelaySource(fixedMs: number, file: string | undefined, log?: Logger): { get: (model: string, version: string) => number; describe: () => string; stop: () => void } {
  let current = { all: fixedMs, byVersion: new Map<string, number>() };
  let raw = String(fixedMs);
  const get = (model: string, version: string) => current.byVersion.get(`${model}@${version}`) ?? current.all;
  const describe = () => raw;
  if (!file) return { get, describe, stop: () => {} };
  const read = () => {
    let txt: string;
    try {
      txt = readFileSync(file, 'utf8').trim();
    } catch {
      txt = String(fixedMs); // missing: the setting
    }
    if (txt === raw) return;
    raw = txt;
    current = parseFault(txt);
    log?.warn({ fault: txt, fault_file: file }, `FAULT INJECTION: batch delay now ${JSON.stringify(txt)}`);
  };
  raw = '\u0000';
  read();
  const t = setInterval(read, 1000);
  t.unref();
  return { get, describe, stop: () => clearInterval(t) };
}

export interface ExecutorServiceOptions {
  pool: PoolName;
  argv?: string[];
  env?: NodeJS.ProcessEnv;
  /** Install SIGTERM/SIGINT handlers that drain and exit (default true). */
  handleSignals?: boolean;
  log?: Logger;
  /** Runs last on shutdown (the process's OpenTelemetry SDK). */
  onStopped?: () => Promise<void>;
  /** The process's telemetry: batch metrics go to `histograms` (metrics.ts); `metricsPort` (the
   *  bound Prometheus port, if any) is named in the `ready` log for the launcher. */
  telemetry?: { histograms: PreAggregatedMetrics; metricsPort?: number };
}

export interface ExecutorService {
  engine: ExecutorEngine;
  mesh: MeshServer;
  bus: Bus;
  address: string;
  executorId: string;
  /** The orderly stop (what SIGTERM runs, without exiting). */
  stop(): Promise<void>;
}

const heartbeatCodec = codec<Heartbeat, Heartbeat__Output>('switchyard.executor.v1.Heartbeat');

function deadlineOf(call: grpc.ServerUnaryCall<unknown, unknown>): number | undefined {
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() : Number(d);
  if (!Number.isFinite(ms)) return undefined;
  return performance.now() + (ms - Date.now());
}

const raw = (b: Buffer): Buffer => b;
/** The Executor definition with InferStream's frames passed as bytes (read by InferStreamServer). */
function withRawInferStream(def: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const m = def.InferStream;
  if (!m) throw new Error('Executor definition has no InferStream');
  return { ...def, InferStream: { ...m, requestDeserialize: raw, responseSerialize: raw } };
}

function handler<Req, Res>(fn: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Res | Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request, call))
      .then((res) => callback(null, res), (e: unknown) => callback(toServiceError(e) as grpc.ServiceError));
  };
}

/** Build and start an executor process for a pool. Throws (EngineStartError, ConfigError, ...) if it cannot start. */
export async function createExecutorService(o: ExecutorServiceOptions): Promise<ExecutorService> {
  // Infer's span is made by its handler (trace.ts), the other methods' by the instrumentation.
  traceGrpcManually(EXECUTOR_INFER_METHOD, EXECUTOR_INFER_STREAM_METHOD);
  const cfg = loadConfig(executorSettings, { ...(o.argv ? { argv: o.argv } : {}), ...(o.env ? { env: o.env } : {}) });
  const pool = o.pool;
  const workload = pool === 'gpu' ? 'gpu-executor' : 'cpu-executor';
  const port = cfg.port ?? (pool === 'gpu' ? 7410 : 7420);
  const log = o.log ?? createLogger({ service: workload, base: { pool, ...(cfg.executorId ? { executor_id: cfg.executorId } : {}) } });

  const modelRepo = path.resolve(cfg.modelRepo ?? '.switchyard/models');
  if (cfg.bundledModels ?? cfg.modelRepo === undefined) {
    const models = prepareBundledRepository(modelRepo);
    log.info({ modelRepo, models }, 'bundled model repository prepared');
  }

  let identity: MeshIdentity;
  try {
    identity = identityFromDir(cfg.pkiDir, workload);
  } catch (e) {
    if (!cfg.devPki) throw e;
    identity = (await ensureDevPki(cfg.pkiDir))[workload]!;
  }

  const fault = faultDelaySource(cfg.faultDelayMs, cfg.faultFile, log);
  if (cfg.faultDelayMs > 0 || cfg.faultFile) {
    log.warn({ fault: fault.describe(), fault_file: cfg.faultFile }, `FAULT INJECTION ENABLED (test/chaos setting): batches are delayed (${fault.describe()} ms)${cfg.faultFile ? `; re-read from ${cfg.faultFile} every second` : ''}`);
  }

  // 0 = onnxruntime's own default (a thread per physical core for every session).
  const intraOpThreads = cfg.intraOpThreads ?? defaultIntraOpThreads(os.availableParallelism(), cfg.sessionWorkers);
  const engine = await ExecutorEngine.create({
    faultDelayMs: fault.get,
    repoDir: modelRepo,
    pool,
    executorId: cfg.executorId ?? `${pool}-pending`,
    region: cfg.region,
    allowCpuFallback: cfg.allowCpuFallback,
    gpuProviders: cfg.gpuProviders === 'cuda' ? ['cuda'] : ['tensorrt', 'cuda'],
    intraOpThreads,
    ...(cfg.interOpThreads !== undefined ? { interOpThreads: cfg.interOpThreads } : {}),
    ...(cfg.graphOptimizationLevel !== undefined ? { graphOptimizationLevel: cfg.graphOptimizationLevel } : {}),
    ...(cfg.enableCpuMemArena !== undefined ? { enableCpuMemArena: cfg.enableCpuMemArena } : {}),
    intraOpSpinning: cfg.intraOpSpinning,
    ...(cfg.costPerHour !== undefined ? { costPerHour: cfg.costPerHour } : {}),
    spiffeId: spiffeIdOf(workload),
    maxRequestBytes: cfg.maxRequestBytes,
    sessionWorkers: cfg.sessionWorkers,
    backgroundWorkers: cfg.backgroundWorkers,
    backgroundNice: cfg.backgroundNice,
    ...(o.telemetry ? { onBatch: executorMetrics(o.telemetry.histograms, pool) } : {}),
    log,
  });
  log.info({ device: engine.device, cpu_fallback: engine.device.cpu_fallback, fallback_reason: engine.device.fallback_reason || undefined, intra_op_threads: intraOpThreads || 'onnxruntime default', session_workers: cfg.sessionWorkers }, engine.device.cpu_fallback ? 'device: CPU FALLBACK (no GPU provider)' : `device: ${engine.device.execution_provider}`);

  const loaded = await engine.loadAll();
  log.info({ loaded: loaded.loaded, failed: loaded.failed, session_workers: engine.cpuLanes().workers }, 'models loaded');
  // The main thread follows the work in flight (cpu-priority.ts): background-only, lower priority.
  const mainPriority = new MainThreadPriority(cfg.backgroundWorkers > 0 ? cfg.backgroundNice : 0, {
    set: (n) => os.setPriority(0, n),
    get: () => os.getPriority(0),
    schedule: (fn, ms) => { const t = setTimeout(fn, ms); t.unref(); return () => clearTimeout(t); },
  });
  if (cfg.backgroundWorkers > 0) {
    log.info({ background_nice: cfg.backgroundNice, main_thread_follows: mainPriority.enabled }, mainPriority.enabled
      ? 'background lane: session workers and, while only background requests are in flight, the main thread at the lower priority'
      : 'background lane: session workers at the lower priority; the main thread stays at normal priority (raising it again needs CAP_SYS_NICE)');
  }
  const runInfer = (req: ModelInferRequest__Output, opts: InferOptions): Promise<ModelInferResponse> => {
    const lane = opts.background ? 'background' : 'foreground';
    mainPriority.enter(lane);
    return engine.infer(req, opts).finally(() => mainPriority.leave(lane));
  };

  // Infer's own (de)serializers, for the requests and responses that InferStream frames carry.
  const inferDef = executorV1.Executor.service.Infer;
  let draining = false;
  const streams = new InferStreamServer({
    infer: runInfer,
    decodeRequest: (b) => inferDef.requestDeserialize(b),
    encodeResponse: (r) => inferDef.responseSerialize(r),
    maxReplyBytes: DEFAULT_MAX_RECEIVE_BYTES - 64,
    draining: () => draining,
    log,
  });
  const implementation: ExecutorHandlers = {
    // Its span is made here (trace.ts; the instrumentation skips Infer in executor processes).
    Infer: (call, callback) => {
      const span = startServerSpan(EXECUTOR_INFER_PATH, call.metadata);
      const timing: InferTiming = {};
      const deadlineMs = deadlineOf(call);
      const background = call.metadata.get(CPU_PRIORITY_METADATA)[0] === 'background';
      handler<ModelInferRequest__Output, ModelInferResponse>((req) => runInfer(req, { ...(deadlineMs !== undefined ? { deadlineMs } : {}), timing, background }))(call, (err, res) => {
        annotateInferSpan(span, timing);
        endRpcSpan(span, err?.code ?? 0, err?.details);
        callback(err, res);
      });
    },
    // The gateway's path (infer-stream.ts): frames are read there, so (de)serializers are identity.
    InferStream: streams.handler as unknown as ExecutorHandlers['InferStream'],
    ModelMetadata: handler((req) => engine.metadata(req.name, req.version)),
    ModelReady: handler((req) => ({ ready: engine.ready(req.name, req.version) })),
    ModelStatistics: handler((req) => engine.statistics(req.name, req.version)),
    RepositoryIndex: handler((req) => engine.index(req.ready)),
    LoadModel: handler(async (req) => ({ loaded_versions: await engine.load(req.name, req.versions) })),
    UnloadModel: handler(async (req) => ({ unloaded_versions: await engine.unload(req.name, req.versions) })),
    Describe: handler(() => engine.heartbeat(false)),
  };
  const mesh = new MeshServer({
    identity,
    host: cfg.host,
    port,
    ...(cfg.healthPort !== undefined ? { healthPort: cfg.healthPort } : {}),
    services: [{ definition: withRawInferStream(executorV1.Executor.service), implementation, healthName: 'switchyard.executor.v1.Executor' }],
    log,
  });
  const bound = await mesh.start();
  const executorId = cfg.executorId ?? `${pool}-${bound}`;
  engine.setExecutorId(executorId);
  const address = cfg.advertiseAddress ?? `${cfg.host === '0.0.0.0' ? os.hostname() : cfg.host}:${bound}`;
  engine.setAddress(address);

  const bus = await Bus.connect({ url: cfg.natsUrl, name: `${workload}-${executorId}`, log });
  const subject = SUBJECTS.heartbeat(executorId);
  const beat = () => {
    try {
      bus.publish(subject, heartbeatCodec, engine.heartbeat());
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'heartbeat publish failed');
    }
  };
  const timer = setInterval(beat, cfg.heartbeatMs);
  timer.unref();

  let stopped: Promise<void> | undefined;
  const steps = [
    { name: 'stop serving', run: async () => { mesh.setServing(false); engine.setDraining(true); draining = true; beat(); await bus.nc.flush(); } },
    { name: 'wait in-flight', run: async () => { await engine.idle(cfg.drainMs); streams.endAll(); } },
    { name: 'mesh shutdown', run: () => mesh.shutdown(Math.min(2000, cfg.drainMs)) },
    { name: 'bus close', run: async () => { clearInterval(timer); fault.stop(); await bus.close(); } },
    { name: 'release models', run: () => engine.close() },
    ...(o.onStopped ? [{ name: 'otel', run: o.onStopped }] : []),
  ];
  const stop = () => {
    stopped ??= (async () => {
      for (const s of steps) {
        try {
          await s.run();
        } catch (e) {
          log.error({ step: s.name, err: (e as Error).message }, 'stop step failed');
        }
      }
    })();
    return stopped;
  };
  if (o.handleSignals !== false) onShutdown(log, steps);

  log.info({
    executor_id: executorId, pool, region: cfg.region, address, spiffe_id: spiffeIdOf(workload), nats: cfg.natsUrl, subject,
    execution_provider: engine.device.execution_provider, cpu_fallback: engine.device.cpu_fallback, models: loaded.loaded,
    ...(o.telemetry?.metricsPort !== undefined ? { metricsPort: o.telemetry.metricsPort } : {}),
  }, 'ready');
  beat();
  return { engine, mesh, bus, address, executorId, stop };
}

/** What main.ts runs: start, or log why not and exit 1. */
export async function runExecutorService(pool: PoolName): Promise<void> {
  const workload = pool === 'gpu' ? 'gpu-executor' : 'cpu-executor';
  const log = createLogger({ service: workload, base: { pool } });
  try {
    // The metrics endpoint settings (the rest are read again by createExecutorService).
    const cfg = loadConfig(executorSettings);
    // Traces (gRPC spans, trace ids in logs); exported over OTLP when SY_OTLP_ENDPOINT is set.
    // Metrics (batch size, queue wait, compute time) on a Prometheus endpoint when metricsPort is set.
    const tel = await startTelemetry({
      serviceName: workload, serviceVersion: '0.1.0', attributes: { pool, region: cfg.region, ...(cfg.executorId ? { executor_id: cfg.executorId } : {}) },
      ...(process.env.SY_OTLP_ENDPOINT ? { otlpEndpoint: process.env.SY_OTLP_ENDPOINT } : {}),
      ...(cfg.metricsPort !== undefined ? { metricsPort: cfg.metricsPort, metricsHost: cfg.metricsHost } : {}),
    });
    await createExecutorService({
      pool, log, onStopped: () => tel.shutdown(),
      telemetry: { histograms: tel.histograms, ...(tel.metricsPort !== undefined ? { metricsPort: tel.metricsPort } : {}) },
    });
  } catch (e) {
    log.fatal({ err: (e as Error).message }, `${workload} failed to start: ${(e as Error).message}`);
    log.flush?.();
    setTimeout(() => process.exit(1), 50);
  }
}

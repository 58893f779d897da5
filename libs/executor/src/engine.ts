// ExecutorEngine: model sessions on onnxruntime-node for one pool profile (cpu or gpu), the
// dynamic batcher per model version, statistics and the heartbeat content. No network here:
// service.ts wires it to gRPC and NATS.
import { startGpuUtilSampler, type GpuUtilSampler } from './gpu-util.ts';
import os from 'node:os';
import ort from 'onnxruntime-node';
import { status } from '@grpc/grpc-js';
import type { Logger } from '@switchyard/log';
import type {
  ModelInferRequest__Output, ModelInferResponse, ModelMetadataResponse, ModelStatisticsResponse, ModelStatistics,
  RepositoryIndexResponse, Heartbeat, ModelState, Device,
} from '@switchyard/proto';
import { DynamicBatcher, BatchError, shapeKey } from '@switchyard/batching';
import { buildIdentity } from '@switchyard/onnx-builder';
import { SessionPool, type Lane } from './session-pool.ts';
import { ExecutorError, notFound, unavailable, deadline, invalid, precondition, exhausted } from './errors.ts';
import {
  decodeRequest, encodeOutputs, concatRows, sliceRows, zeros, ORT_TO_OIP, fmtShape, type Feed,
  type TensorMeta, type OipDatatype,
} from './codec.ts';
import {
  readModelConfig, listModels, listVersions, selectVersions, modelFile, RepositoryError, type ModelConfig,
} from './repository.ts';

export type PoolName = 'gpu' | 'cpu';

export interface EngineOptions {
  repoDir: string;
  pool: PoolName;
  executorId: string;
  region?: string;
  /** GPU pool only: run on the CPU when no CUDA/TensorRT provider exists (reported everywhere). */
  allowCpuFallback?: boolean;
  /** GPU pool only: execution providers to ask for, in order; default ['cuda']. */
  gpuProviders?: ('cuda' | 'tensorrt')[];
  intraOpThreads?: number;
  interOpThreads?: number;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  enableCpuMemArena?: boolean;
  /**
   * Let onnxruntime's intra-/inter-op worker threads spin-wait for work between runs (onnxruntime's
   * own default). Default false: a spinning pool keeps a core busy while the executor waits for
   * its next request, which takes the CPU from every process sharing the machine (see
   * sessionOptionsFor).
   */
  intraOpSpinning?: boolean;
  /** Default: gpu 2.5, cpu 0.4. */
  costPerHour?: number;
  /** host:port of the Executor API (for heartbeats); can be set later with setAddress. */
  address?: string;
  spiffeId?: string;
  /** Software version reported in heartbeats. */
  version?: string;
  /** Limit on the decoded size of one request's inputs; default 64 MiB. Over it: RESOURCE_EXHAUSTED. */
  maxRequestBytes?: number;
  /**
   * Worker threads holding the sessions (default 2). onnxruntime-node's run() blocks its thread,
   * so sessions run off the main thread; this bounds how many batches run at once overall.
   */
  sessionWorkers?: number;
  /**
   * The background lane (session-pool.ts): worker threads at a lower CPU priority (nice) that run
   * the batches of requests marked background (InferOptions.background). Default 1 worker at
   * nice 10; 0 workers: background requests run in the normal workers.
   */
  backgroundWorkers?: number;
  backgroundNice?: number;
  /**
   * FAULT INJECTION (tests/chaos only): extra milliseconds slept in every batch run, read per
   * batch (0 or absent = none). Set from the executor settings faultDelayMs / faultFile.
   */
  faultDelayMs?: (model: string, version: string) => number;
  /** Told of every batch that ran (metrics: batch size, queue wait, compute time). Must not throw. */
  onBatch?: (b: BatchRecord) => void;
  log?: Logger;
}

/** One formed batch that ran to completion (what EngineOptions.onBatch hears). */
export interface BatchRecord {
  model: string;
  version: string;
  /** Rows in the batch (its batch dimension; a request of n rows counts n). */
  rows: number;
  /** Requests merged into the batch. */
  requests: number;
  /** Each request's wait in the queue, ms (from enqueue to the batch's start). */
  queueMs: number[];
  /** Time the batch took to run (session run, plus any injected fault delay), ms. */
  computeMs: number;
  /** The lane it ran in (background: the session workers at lower CPU priority). */
  lane: Lane;
}

export interface InferOptions {
  /** Absolute deadline on the performance.now() clock. */
  deadlineMs?: number;
  /** Triton convention: 1 is the highest priority; 0 or absent is the default (lowest) level. */
  priority?: number;
  /** Filled in as the request goes through the executor (for its trace span). */
  timing?: InferTiming;
  /**
   * Run at the background CPU priority (the gateway: this request's tenant asks for more than its
   * fair share while another tenant is active). Batched only with other background requests.
   */
  background?: boolean;
}

/** Where one request's time went in the executor; times on the performance.now() clock. */
export interface InferTiming {
  model?: string;
  version?: string;
  /** Entered the batch queue. */
  enqueuedAt?: number;
  /** Its batch started running (left the queue). */
  batchStartedAt?: number;
  /** Its batch's onnxruntime run ended. */
  batchEndedAt?: number;
  /** Rows and requests in its batch. */
  batchRows?: number;
  batchRequests?: number;
}

/** Thrown by ExecutorEngine.create when the executor must not start. */
export class EngineStartError extends Error {
  override name = 'EngineStartError';
}

type State = 'LOADING' | 'READY' | 'UNAVAILABLE';

interface Duration { count: number; ns: number }
const dur = (): Duration => ({ count: 0, ns: 0 });
const addDur = (d: Duration, ms: number, n = 1) => { d.count += n; d.ns += Math.round(ms * 1e6); };

interface BatchItem {
  feeds: Record<string, Feed>;
  rows: number;
  enqueuedAt: number;
  background: boolean;
  /** Filled by runBatch. */
  queueMs?: number;
  computeMs?: number;
  batchRows?: number;
  batchRequests?: number;
}

const EWMA_ALPHA = 0.2;
const DEFAULT_COST: Record<PoolName, number> = { gpu: 2.5, cpu: 0.4 };

class ModelVersion {
  readonly name: string;
  readonly version: string;
  readonly config: ModelConfig;
  readonly file: string;
  readonly variant: string;
  state: State = 'LOADING';
  reason = '';
  /** Key of this version's sessions in the SessionPool (unique per load). */
  readonly key: string;
  opened = false;
  inputs: TensorMeta[] = [];
  outputs: TensorMeta[] = [];
  batcher: DynamicBatcher<BatchItem, Record<string, ort.Tensor>> | undefined;
  inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  // statistics
  success = dur();
  fail = dur();
  queue = dur();
  computeInput = dur();
  computeInfer = dur();
  computeOutput = dur();
  inferenceCount = 0;
  executionCount = 0;
  lastInference = 0;
  batchStats = new Map<number, { input: Duration; infer: Duration; output: Duration }>();
  ewma = new Map<number, number>();
  rate = { at: performance.now(), count: 0, rps: 0 };

  constructor(name: string, version: string, config: ModelConfig, file: string, variant: string) {
    this.name = name;
    this.version = version;
    this.config = config;
    this.file = file;
    this.variant = variant;
    this.key = `${name}:${version}:${++ModelVersion.loads}`;
  }
  static loads = 0;

  get queueDepth(): number {
    return this.batcher?.stats().queued ?? 0;
  }

  enter(): void {
    this.inFlight++;
  }
  leave(): void {
    this.inFlight--;
    if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
  }
  idle(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((r) => this.idleWaiters.push(r));
  }

  recordBatch(rows: number, ms: number): void {
    this.executionCount++;
    const prev = this.ewma.get(rows);
    this.ewma.set(rows, prev === undefined ? ms : prev + EWMA_ALPHA * (ms - prev));
    let b = this.batchStats.get(rows);
    if (!b) this.batchStats.set(rows, (b = { input: dur(), infer: dur(), output: dur() }));
    addDur(b.infer, ms);
  }
}

/** Per-model lock so loads/unloads of one model do not interleave. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const r = this.tail.then(fn);
    this.tail = r.then(() => undefined, () => undefined);
    return r;
  }
}

/**
 * The executor's default onnxruntime intra-op thread count: the host's cores shared among the
 * session workers that can run at once (at least 1). onnxruntime's own default is one thread per
 * physical core for every session, so with several session workers the runs ask for more threads
 * than there are cores, and each run's threads then wait for one another: on 2 cores with the
 * default 2 workers, ocr_cls ran 0.88 ms at p50 with 1 thread against 1.20 ms with onnxruntime's
 * default (a bare session on an idle machine); in the fairness benchmark the quiet tenant's median
 * fell ~11 %, the heavy tenant's ~25 %, and the heavy tenant got 15 % more answers (docs/policy.md,
 * thirteenth session).
 */
export function defaultIntraOpThreads(cores: number, sessionWorkers: number): number {
  return Math.max(1, Math.floor(cores / Math.max(1, sessionWorkers)));
}

/**
 * onnxruntime session options from the engine options. Spinning is off unless intraOpSpinning:
 * onnxruntime's worker threads otherwise spin-wait after each run, so an executor serving
 * intermittent requests keeps a core busy (measured on 2 cores: ~110% CPU serving ocr_cls at 60
 * requests/s, ~17% without) and takes it from the gateway and executors that share the machine.
 */
export function sessionOptionsFor(opts: Pick<EngineOptions, 'intraOpThreads' | 'interOpThreads' | 'graphOptimizationLevel' | 'enableCpuMemArena' | 'intraOpSpinning'>, providers: readonly string[]): ort.InferenceSession.SessionOptions {
  const o: ort.InferenceSession.SessionOptions = { executionProviders: [...providers] };
  if (opts.intraOpThreads !== undefined) o.intraOpNumThreads = opts.intraOpThreads;
  if (opts.interOpThreads !== undefined) o.interOpNumThreads = opts.interOpThreads;
  if (opts.graphOptimizationLevel !== undefined) o.graphOptimizationLevel = opts.graphOptimizationLevel;
  if (opts.enableCpuMemArena !== undefined) o.enableCpuMemArena = opts.enableCpuMemArena;
  // Session config entries (onnxruntime_session_options_config_keys.h), nested as the Node binding expects.
  if (opts.intraOpSpinning !== true) o.extra = { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } };
  return o;
}

export class ExecutorEngine {
  readonly opts: EngineOptions;
  readonly pool: PoolName;
  executorId: string;
  readonly region: string;
  readonly device: Device & { execution_provider: string; cpu_fallback: boolean; fallback_reason: string; name: string; cores: number };
  readonly startedAtMs = Date.now();
  private readonly providers: string[];
  private readonly log: Logger | undefined;
  private readonly models = new Map<string, Map<string, ModelVersion>>();
  private readonly failures = new Map<string, string>();
  private readonly locks = new Map<string, Mutex>();
  private readonly sessions: SessionPool;
  private address: string;
  private draining = false;
  private seq = 0;
  private inFlightTotal = 0;
  private cpuMark = { at: performance.now(), usage: process.cpuUsage(), util: 0 };
  /** GPU utilization from nvidia-smi, only when a GPU provider really runs (never in CPU fallback). */
  private gpuUtil: GpuUtilSampler | undefined;

  private constructor(opts: EngineOptions, providers: string[], device: ExecutorEngine['device']) {
    this.opts = opts;
    this.pool = opts.pool;
    this.executorId = opts.executorId;
    this.region = opts.region ?? 'local';
    this.providers = providers;
    this.device = device;
    this.log = opts.log;
    this.address = opts.address ?? '';
    this.sessions = new SessionPool(opts.sessionWorkers ?? 2, opts.log, { workers: opts.backgroundWorkers ?? 1, nice: opts.backgroundNice ?? 10 });
  }

  /** The session workers' CPU priority lanes and the batches each lane ran (session-pool.ts). */
  cpuLanes(): { runs: Record<Lane, number>; workers: Array<{ lane: Lane; nice: number | undefined }> } {
    return { runs: { ...this.sessions.runs }, workers: this.sessions.priorities() };
  }

  /**
   * Resolve the device for the pool profile and make an engine (no models loaded yet: call
   * loadAll or load). The GPU profile probes its providers with a real session; when none works
   * it throws EngineStartError unless allowCpuFallback, and then reports the fallback.
   */
  static async create(opts: EngineOptions): Promise<ExecutorEngine> {
    const cpu = os.cpus();
    const cores = os.availableParallelism();
    const cpuName = cpu[0]?.model?.trim() || 'cpu';
    if (opts.pool === 'cpu') {
      return new ExecutorEngine(opts, ['cpu'], { execution_provider: 'cpu', cpu_fallback: false, fallback_reason: '', name: cpuName, cores });
    }
    const wanted = opts.gpuProviders?.length ? opts.gpuProviders : ['cuda' as const];
    let reason = '';
    try {
      const s = await ort.InferenceSession.create(buildIdentity('FLOAT', [1, 1]), { executionProviders: [...wanted] });
      await s.release();
    } catch (e) {
      const bundled = ort.listSupportedBackends?.().filter((b) => wanted.includes(b.name as 'cuda')).map((b) => `${b.name} bundled:${b.bundled}`).join(', ');
      reason = `no ${wanted.map((w) => w.toUpperCase()).join('/')} execution provider: ${(e as Error).message.split('\n')[0]}${bundled ? ` (${bundled})` : ''}`;
    }
    if (!reason) {
      return new ExecutorEngine(opts, [...wanted], { execution_provider: wanted[0]!, cpu_fallback: false, fallback_reason: '', name: `${wanted[0]} device`, cores });
    }
    if (!opts.allowCpuFallback) {
      throw new EngineStartError(
        `gpu executor refuses to start: ${reason}. To run this GPU executor on the CPU anyway (it will report cpu_fallback=true), set allowCpuFallback=true (--allow-cpu-fallback true or SY_ALLOW_CPU_FALLBACK=true)`,
      );
    }
    opts.log?.warn({ cpu_fallback: true, fallback_reason: reason }, 'gpu executor running on CPU (cpu fallback): no GPU provider');
    return new ExecutorEngine(opts, ['cpu'], { execution_provider: 'cpu', cpu_fallback: true, fallback_reason: reason, name: cpuName, cores });
  }

  /** The executor id may only be known once the port is bound. */
  setExecutorId(id: string): void {
    this.executorId = id;
  }
  setAddress(address: string): void {
    this.address = address;
  }
  setDraining(d: boolean): void {
    this.draining = d;
  }
  get inFlight(): number {
    return this.inFlightTotal;
  }
  get queueDepth(): number {
    let q = 0;
    for (const vs of this.models.values()) for (const mv of vs.values()) q += mv.queueDepth;
    return q;
  }

  private sessionOptions(): ort.InferenceSession.SessionOptions {
    return sessionOptionsFor(this.opts, this.providers);
  }

  /** The variant to use: chosen by the device that really runs (a CPU fallback uses the cpu variant). */
  private variantFor(cfg: ModelConfig): string {
    return this.device.execution_provider === 'cpu' ? cfg.variants.cpu : cfg.variants.gpu;
  }

  private lock(name: string): Mutex {
    let m = this.locks.get(name);
    if (!m) this.locks.set(name, (m = new Mutex()));
    return m;
  }

  // ------------------------------------------------------------ loading

  /** Load every model of the repository that this pool may run. Failures are logged and kept for index(). */
  async loadAll(): Promise<{ loaded: string[]; failed: { model: string; error: string }[] }> {
    const loaded: string[] = [];
    const failed: { model: string; error: string }[] = [];
    for (const name of listModels(this.opts.repoDir)) {
      let cfg: ModelConfig;
      try {
        cfg = readModelConfig(this.opts.repoDir, name);
      } catch (e) {
        this.failures.set(name, (e as Error).message);
        failed.push({ model: name, error: (e as Error).message });
        this.log?.error({ model: name, err: (e as Error).message }, 'model config invalid');
        continue;
      }
      if (!cfg.allowed_pools.includes(this.pool)) continue;
      try {
        const vs = await this.load(name);
        loaded.push(...vs.map((v) => `${name}:${v}`));
      } catch (e) {
        const msg = (e as ExecutorError).details ?? (e as Error).message;
        failed.push({ model: name, error: msg });
        this.log?.error({ model: name, err: msg }, 'model failed to load');
      }
    }
    return { loaded, failed };
  }

  /**
   * Load (or reload) versions of a model. Without versions: the versions of the model's version
   * policy, and versions outside the policy are unloaded once the new ones are READY. A version
   * already loaded keeps serving until its replacement is warm. Returns the versions loaded.
   */
  load(name: string, versions: string[] = []): Promise<string[]> {
    return this.lock(name).run(async () => {
      let cfg: ModelConfig;
      try {
        cfg = readModelConfig(this.opts.repoDir, name);
      } catch (e) {
        if (e instanceof RepositoryError && /cannot read \(ENOENT\)/.test(e.message)) throw notFound(`model '${name}' is not in the repository of executor ${this.executorId}`);
        throw invalid((e as Error).message);
      }
      this.failures.delete(name);
      if (!cfg.allowed_pools.includes(this.pool)) throw precondition(`model '${name}' is not allowed on pool ${this.pool} (allowed_pools: ${cfg.allowed_pools.join(', ')})`);
      const onDisk = listVersions(this.opts.repoDir, name);
      let wanted: number[];
      if (versions.length) {
        wanted = versions.map((v) => {
          if (!/^\d+$/.test(v) || !onDisk.includes(Number(v))) throw notFound(`model '${name}' version '${v}' is not in the repository (on disk: ${onDisk.join(',') || 'none'})`);
          return Number(v);
        });
      } else {
        wanted = selectVersions(cfg.version_policy, onDisk);
        if (!wanted.length) throw notFound(`model '${name}' has no version on disk matching its version_policy ${JSON.stringify(cfg.version_policy)} (on disk: ${onDisk.join(',') || 'none'})`);
      }
      let table = this.models.get(name);
      if (!table) this.models.set(name, (table = new Map()));
      const errors: string[] = [];
      const done: string[] = [];
      await Promise.all(wanted.map(async (vn) => {
        const v = String(vn);
        const { file, variant } = modelFile(this.opts.repoDir, name, v, this.variantFor(cfg));
        const mv = new ModelVersion(name, v, cfg, file, variant);
        const old = table.get(v);
        if (!old) table.set(v, mv); // visible as LOADING; an old one keeps serving until the swap
        try {
          await this.open(mv);
        } catch (e) {
          mv.state = 'UNAVAILABLE';
          mv.reason = (e as Error).message;
          errors.push(`version ${v}: ${mv.reason}`);
          this.log?.error({ model: name, version: v, err: mv.reason }, 'model version failed to load');
          return;
        }
        table.set(v, mv);
        done.push(v);
        this.log?.info({ model: name, version: v, variant: mv.variant, provider: this.device.execution_provider }, 'model version ready');
        if (old) void this.retire(old);
      }));
      if (!versions.length) {
        const keep = new Set(wanted.map(String));
        for (const [v, mv] of table) if (!keep.has(v) && mv.state !== 'LOADING') { table.delete(v); void this.retire(mv); }
      }
      if (errors.length) throw unavailable(`model '${name}' failed to load: ${errors.join('; ')}`);
      return done.sort((a, b) => Number(a) - Number(b));
    });
  }

  /** Unload versions (default: all) once their in-flight requests finish. Returns the versions unloaded. */
  unload(name: string, versions: string[] = []): Promise<string[]> {
    return this.lock(name).run(async () => {
      const table = this.models.get(name);
      if (!table || table.size === 0) throw notFound(`model '${name}' is not loaded on executor ${this.executorId}`);
      const vs = versions.length ? versions : [...table.keys()];
      for (const v of vs) if (!table.has(v)) throw notFound(this.versionMissing(name, v, table));
      const gone = vs.map((v) => {
        const mv = table.get(v)!;
        table.delete(v);
        return this.retire(mv);
      });
      await Promise.all(gone);
      if (table.size === 0) this.models.delete(name);
      return vs.sort((a, b) => Number(a) - Number(b));
    });
  }

  private async retire(mv: ModelVersion): Promise<void> {
    mv.state = 'UNAVAILABLE';
    mv.reason = 'unloaded';
    await mv.batcher?.drain();
    await mv.idle();
    if (mv.opened) await this.sessions.release(mv.key);
    mv.opened = false;
    this.log?.info({ model: mv.name, version: mv.version }, 'model version unloaded');
  }

  private async open(mv: ModelVersion): Promise<void> {
    mv.opened = true;
    let session: Awaited<ReturnType<SessionPool['load']>>;
    try {
      session = await this.sessions.load(mv.key, mv.file, this.sessionOptions());
    } catch (e) {
      mv.opened = false;
      throw e;
    }
    const meta = (list: readonly ort.InferenceSession.ValueMetadata[], kind: string): TensorMeta[] => list.map((m) => {
      if (!m.isTensor) throw new Error(`${kind} '${m.name}' is not a tensor`);
      const dt = ORT_TO_OIP[m.type];
      if (!dt) throw new Error(`${kind} '${m.name}' has unsupported type ${m.type}`);
      return { name: m.name, datatype: dt, shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) };
    });
    mv.inputs = meta(session.inputs, 'input');
    mv.outputs = meta(session.outputs, 'output');
    const c = mv.config;
    if (c.max_batch_size > 0) {
      for (const t of [...mv.inputs, ...mv.outputs]) {
        if (t.shape.length === 0 || (t.shape[0] !== -1 && t.shape[0]! < c.max_batch_size)) throw new Error(`max_batch_size ${c.max_batch_size} needs a dynamic first dimension, but '${t.name}' has shape ${fmtShape(t.shape)}`);
      }
    }
    const db = c.dynamic_batching;
    const merge = c.max_batch_size > 0 && !!db;
    mv.batcher = new DynamicBatcher<BatchItem, Record<string, ort.Tensor>>(
      {
        maxBatchSize: Math.max(1, c.max_batch_size),
        maxQueueDelayMs: merge ? db!.max_queue_delay_ms : 0,
        preferredBatchSizes: merge ? db!.preferred_batch_sizes.filter((s) => s <= c.max_batch_size) : [],
        maxQueueSize: db?.max_queue_size ?? 1024,
        // One more level, below the model's own: background requests (their batches are their own,
        // and when batches wait for the instance, foreground ones go first).
        priorityLevels: (db?.priority_levels ?? 1) + 1,
        maxConcurrentBatches: c.instance_count,
      },
      { runBatch: (items) => this.runBatch(mv, items) },
    );
    if (c.warmup) {
      const feeds: Record<string, ort.Tensor> = {};
      for (const i of mv.inputs) feeds[i.name] = zeros(i.datatype, this.warmupShape(mv, i));
      try {
        await this.sessions.runAll(mv.key, feeds);
      } catch (e) {
        throw new Error(`warm-up failed: ${(e as Error).message.split('\n')[0]}`, { cause: e });
      }
    }
    mv.state = 'READY';
  }

  private warmupShape(mv: ModelVersion, i: TensorMeta): number[] {
    const ws = mv.config.warmup_shape;
    if (Array.isArray(ws)) return ws;
    if (ws && ws[i.name]) return ws[i.name]!;
    return i.shape.map((d) => (d < 0 ? 1 : d));
  }

  private async runBatch(mv: ModelVersion, items: BatchItem[]): Promise<Record<string, ort.Tensor>[]> {
    if (!mv.opened) throw new Error(`model '${mv.name}' version '${mv.version}' was unloaded`);
    const start = performance.now();
    for (const it of items) it.queueMs = start - it.enqueuedAt;
    const rows = items.reduce((a, it) => a + it.rows, 0);
    // Each request's input bytes are copied once, into buffers made for this run (a batch's
    // concatenated rows, a single request's own tensor), which then move to the worker uncopied.
    const feeds: Record<string, ort.Tensor> = {};
    const made = new Set<ArrayBufferLike>();
    for (const i of mv.inputs) {
      const parts = items.map((it) => it.feeds[i.name]!);
      const t = concatRows(parts);
      feeds[i.name] = t;
      if (t !== parts[0] && t.type !== 'string') made.add((t.data as unknown as ArrayBufferView).buffer);
    }
    // A batch holds requests of one lane (their batch keys differ), so its first item says which;
    // without a live background worker it runs (and is counted) in the foreground lane.
    const lane: Lane = this.sessions.laneFor(items[0]?.background ? 'background' : 'foreground');
    const out = await this.sessions.run(mv.key, feeds, (buffer) => made.has(buffer), lane);
    const fault = this.opts.faultDelayMs?.(mv.name, mv.version) ?? 0;
    if (fault > 0) await new Promise((r) => setTimeout(r, fault));
    const ms = performance.now() - start;
    mv.recordBatch(rows, ms);
    for (const it of items) { it.computeMs = ms; it.batchRows = rows; it.batchRequests = items.length; }
    if (this.opts.onBatch) {
      try {
        this.opts.onBatch({ model: mv.name, version: mv.version, rows, requests: items.length, queueMs: items.map((it) => it.queueMs!), computeMs: ms, lane });
      } catch (e) {
        this.log?.warn({ err: (e as Error).message }, 'onBatch hook failed');
      }
    }
    if (items.length === 1) return [out];
    let off = 0;
    return items.map((it) => {
      const r: Record<string, ort.Tensor> = {};
      for (const o of mv.outputs) r[o.name] = sliceRows(out[o.name]!, off, it.rows);
      off += it.rows;
      return r;
    });
  }

  // ------------------------------------------------------------ serving

  private versionMissing(name: string, version: string, table: Map<string, ModelVersion>): string {
    const loaded = [...table.values()].filter((m) => m.state === 'READY').map((m) => m.version).sort((a, b) => Number(a) - Number(b));
    return `model '${name}' version '${version}' is not loaded on executor ${this.executorId}; loaded versions: ${loaded.join(',') || 'none'}`;
  }

  private resolve(name: string, version: string): ModelVersion {
    const table = this.models.get(name);
    if (!table || table.size === 0) {
      const loaded = [...this.models.entries()].filter(([, t]) => t.size > 0).map(([n]) => n).sort();
      throw notFound(`model '${name}' is not loaded on executor ${this.executorId}; loaded models: ${loaded.join(', ') || 'none'}`);
    }
    if (version) {
      const mv = table.get(version);
      if (!mv) throw notFound(this.versionMissing(name, version, table));
      if (mv.state !== 'READY') throw unavailable(`model '${name}' version '${version}' is ${mv.state}${mv.reason ? `: ${mv.reason}` : ''}`);
      return mv;
    }
    let best: ModelVersion | undefined;
    for (const mv of table.values()) if (mv.state === 'READY' && (!best || Number(mv.version) > Number(best.version))) best = mv;
    if (!best) throw unavailable(`model '${name}' has no READY version on executor ${this.executorId} (${[...table.values()].map((m) => `${m.version}=${m.state}`).join(', ')})`);
    return best;
  }

  /** Run one Open Inference Protocol request. Throws ExecutorError (code + details). */
  async infer(req: ModelInferRequest__Output, opts: InferOptions = {}): Promise<ModelInferResponse> {
    const t0 = performance.now();
    const mv = this.resolve(req.model_name, req.model_version);
    mv.enter();
    this.inFlightTotal++;
    try {
      if (opts.deadlineMs !== undefined && t0 >= opts.deadlineMs) throw deadline(`deadline exceeded before model '${mv.name}' version '${mv.version}' could start`);
      const dec = decodeRequest(req, mv.inputs, mv.outputs, { model: mv.name, maxBatchSize: mv.config.max_batch_size, maxRequestBytes: this.opts.maxRequestBytes ?? 64 * 1024 * 1024, deferCopy: true });
      const t1 = performance.now();
      addDur(mv.computeInput, t1 - t0);
      const levels = mv.config.dynamic_batching?.priority_levels ?? 1;
      const p = opts.priority ?? paramNumber(req, 'priority') ?? 0;
      const background = opts.background === true;
      const level = background ? levels : p >= 1 ? Math.min(p, levels) - 1 : levels - 1;
      const merge = mv.config.max_batch_size > 0 && !!mv.config.dynamic_batching;
      const item: BatchItem = { feeds: dec.feeds, rows: dec.batch, enqueuedAt: performance.now(), background };
      const key = merge ? `${background ? 'bg:' : ''}${shapeKey(mv.inputs.map((i) => ({ name: i.name, datatype: i.datatype, shape: [...dec.feeds[i.name]!.dims] })))}` : `solo-${this.seq}-${Math.random()}`;
      let results: Record<string, ort.Tensor>;
      try {
        results = await mv.batcher!.submit(item, { key, rows: dec.batch, priority: level, ...(opts.deadlineMs !== undefined ? { deadlineMs: opts.deadlineMs } : {}) });
      } catch (e) {
        throw fromBatchError(e, mv);
      }
      if (item.queueMs !== undefined) addDur(mv.queue, item.queueMs);
      if (item.computeMs !== undefined) addDur(mv.computeInfer, item.computeMs);
      const tm = opts.timing;
      if (tm) {
        tm.model = mv.name;
        tm.version = mv.version;
        tm.enqueuedAt = item.enqueuedAt;
        if (item.queueMs !== undefined) tm.batchStartedAt = item.enqueuedAt + item.queueMs;
        if (item.queueMs !== undefined && item.computeMs !== undefined) tm.batchEndedAt = item.enqueuedAt + item.queueMs + item.computeMs;
        if (item.batchRows !== undefined) tm.batchRows = item.batchRows;
        if (item.batchRequests !== undefined) tm.batchRequests = item.batchRequests;
      }
      const t2 = performance.now();
      const enc = encodeOutputs(results, dec.outputNames, dec.raw);
      const t3 = performance.now();
      addDur(mv.computeOutput, t3 - t2);
      addDur(mv.success, t3 - t0);
      mv.inferenceCount += dec.batch;
      mv.lastInference = Date.now();
      return {
        model_name: mv.name,
        model_version: mv.version,
        id: req.id,
        outputs: enc.outputs,
        raw_output_contents: enc.raw_output_contents,
      };
    } catch (e) {
      addDur(mv.fail, performance.now() - t0);
      throw e;
    } finally {
      this.inFlightTotal--;
      mv.leave();
    }
  }

  metadata(name: string, version = ''): ModelMetadataResponse {
    const mv = this.resolve(name, version);
    const table = this.models.get(name)!;
    return {
      name,
      versions: [...table.values()].filter((m) => m.state === 'READY').map((m) => m.version).sort((a, b) => Number(a) - Number(b)),
      platform: mv.config.platform,
      inputs: mv.inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape })),
      outputs: mv.outputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape })),
    };
  }

  /** Input/output metadata of a loaded version (for tests and tools). */
  tensors(name: string, version = ''): { inputs: TensorMeta[]; outputs: TensorMeta[]; version: string } {
    const mv = this.resolve(name, version);
    return { inputs: mv.inputs, outputs: mv.outputs, version: mv.version };
  }

  ready(name: string, version = ''): boolean {
    try {
      return this.resolve(name, version).state === 'READY';
    } catch {
      return false;
    }
  }

  statistics(name = '', version = ''): ModelStatisticsResponse {
    let list: ModelVersion[];
    if (name) {
      const table = this.models.get(name);
      if (!table || table.size === 0) throw notFound(`model '${name}' is not loaded on executor ${this.executorId}`);
      if (version) {
        const mv = table.get(version);
        if (!mv) throw notFound(this.versionMissing(name, version, table));
        list = [mv];
      } else list = [...table.values()];
    } else list = [...this.models.values()].flatMap((t) => [...t.values()]);
    const model_stats: ModelStatistics[] = list.map((mv) => ({
      name: mv.name,
      version: mv.version,
      last_inference: mv.lastInference,
      inference_count: mv.inferenceCount,
      execution_count: mv.executionCount,
      inference_stats: {
        success: { ...mv.success }, fail: { ...mv.fail }, queue: { ...mv.queue },
        compute_input: { ...mv.computeInput }, compute_infer: { ...mv.computeInfer }, compute_output: { ...mv.computeOutput },
        cache_hit: dur(), cache_miss: dur(),
      },
      batch_stats: [...mv.batchStats.entries()].sort((a, b) => a[0] - b[0]).map(([bs, s]) => ({
        batch_size: bs, compute_input: { ...s.input }, compute_infer: { ...s.infer }, compute_output: { ...s.output },
      })),
      memory_usage: [],
    }));
    return { model_stats };
  }

  /** Every model of the repository with its versions' states (models not loaded: UNAVAILABLE). */
  index(readyOnly = false): RepositoryIndexResponse {
    const models: { name: string; version: string; state: string; reason: string }[] = [];
    let onDisk: string[] = [];
    try {
      onDisk = listModels(this.opts.repoDir);
    } catch {
      // repository gone: report what is loaded
    }
    const names = new Set([...onDisk, ...this.models.keys()]);
    for (const name of [...names].sort()) {
      const table = this.models.get(name);
      if (table && table.size) {
        for (const mv of [...table.values()].sort((a, b) => Number(a.version) - Number(b.version))) {
          models.push({ name, version: mv.version, state: mv.state, reason: mv.reason });
        }
      } else {
        models.push({ name, version: '', state: 'UNAVAILABLE', reason: this.failures.get(name) ?? 'not loaded' });
      }
    }
    return { models: readyOnly ? models.filter((m) => m.state === 'READY') : models };
  }

  /** GPU executors on a real GPU report the GPU's utilization (nvidia-smi), sampled in the background. */
  private gpuUtilization(): number | undefined {
    if (this.device.execution_provider === 'cpu') return undefined;
    this.gpuUtil ??= startGpuUtilSampler();
    return this.gpuUtil.value;
  }

  /** The heartbeat content (also the Describe response). Each call advances seq unless advance=false. */
  heartbeat(advance = true): Heartbeat & { device: Device; models: ModelState[]; seq: number; utilization: number; in_flight: number; queue_depth: number; draining: boolean } {
    const now = performance.now();
    const usage = process.cpuUsage();
    const wallUs = (now - this.cpuMark.at) * 1000;
    if (wallUs >= 100_000) {
      const used = usage.user - this.cpuMark.usage.user + usage.system - this.cpuMark.usage.system;
      this.cpuMark = { at: now, usage, util: Math.min(1, Math.max(0, used / (wallUs * this.device.cores))) };
    }
    const models: ModelState[] = [];
    let queue = 0;
    for (const table of this.models.values()) {
      for (const mv of table.values()) {
        const total = mv.success.count;
        const dt = (now - mv.rate.at) / 1000;
        if (dt >= 0.5) mv.rate = { at: now, count: total, rps: (total - mv.rate.count) / dt };
        const q = mv.queueDepth;
        queue += q;
        models.push({
          name: mv.name,
          version: mv.version,
          state: mv.state,
          reason: mv.reason,
          queue_depth: q,
          in_flight: mv.inFlight,
          service_times: [...mv.ewma.entries()].sort((a, b) => a[0] - b[0]).map(([batch_size, ms]) => ({ batch_size, ms })),
          throughput_rps: mv.rate.rps,
          success_count: mv.success.count,
          error_count: mv.fail.count,
          max_batch_size: mv.config.max_batch_size,
          variant: mv.variant,
        });
      }
    }
    return {
      executor_id: this.executorId,
      pool: this.pool === 'gpu' ? 'POOL_GPU' : 'POOL_CPU',
      region: this.region,
      address: this.address,
      device: { ...this.device },
      models,
      in_flight: this.inFlightTotal,
      queue_depth: queue,
      utilization: this.gpuUtilization() ?? this.cpuMark.util,
      cost_per_hour: this.opts.costPerHour ?? DEFAULT_COST[this.pool],
      seq: advance ? ++this.seq : this.seq,
      sent_at_ms: Date.now(),
      started_at_ms: this.startedAtMs,
      draining: this.draining,
      version: this.opts.version ?? '0.1.0',
      spiffe_id: this.opts.spiffeId ?? '',
    };
  }

  /** Wait until nothing is in flight (or the timeout passes). */
  async idle(timeoutMs = 30_000): Promise<boolean> {
    const until = performance.now() + timeoutMs;
    while (this.inFlightTotal > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
    return this.inFlightTotal === 0;
  }

  /** Unload everything (waits for in-flight requests) and stop the session workers. */
  async close(): Promise<void> {
    for (const name of [...this.models.keys()]) {
      try {
        await this.unload(name);
      } catch {
        // already gone
      }
    }
    this.gpuUtil?.stop();
    await this.sessions.close();
  }
}

function paramNumber(req: ModelInferRequest__Output, key: string): number | undefined {
  const p = req.parameters?.[key];
  if (!p) return undefined;
  const choice = (p as { parameter_choice?: string }).parameter_choice;
  const v = choice ? (p as Record<string, unknown>)[choice] : (p.int64_param ?? p.uint64_param ?? p.double_param ?? p.string_param);
  if (v === undefined || v === null || v === '' || typeof v === 'boolean') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function fromBatchError(e: unknown, mv: ModelVersion): ExecutorError {
  if (e instanceof BatchError) {
    const where = `model '${mv.name}' version '${mv.version}'`;
    switch (e.code) {
      case 'DEADLINE_EXCEEDED': return deadline(`${where}: ${e.message}`);
      case 'RESOURCE_EXHAUSTED': return exhausted(`${where}: ${e.message}`);
      case 'INVALID_ARGUMENT': return invalid(`${where}: ${e.message}`);
      case 'UNAVAILABLE': return unavailable(`${where}: ${e.message}`);
      default: return new ExecutorError(status.INTERNAL, `${where}: ${e.message}`);
    }
  }
  if (e instanceof ExecutorError) return e;
  return new ExecutorError(status.INTERNAL, `model '${mv.name}' version '${mv.version}': ${(e as Error).message}`);
}

export type { TensorMeta, OipDatatype };

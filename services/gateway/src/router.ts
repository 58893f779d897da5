// The gateway's fast path: the latest placement table (pushed by the scheduler), the shared
// placement core run locally, the gateway's own in-flight counts, pooled mTLS channels to the
// executors (each request a frame on the executor's InferStream, infer-link.ts), and one retry
// elsewhere on an executor failure while the deadline allows.
import * as grpc from '@grpc/grpc-js';
import { createClient, type MeshIdentity } from '@switchyard/mesh';
import { Placer, indexTable, summarizeCandidates, type CandidateSummary, type Decision, type PlacementRequest, type RouteIndex } from '@switchyard/placement';
import { executorV1 } from '@switchyard/proto';
import type { Candidate__Output, ExecutorClient, PlacementTable__Output, PlaceResponse__Output } from '@switchyard/proto';
import { requestForVersion, type RawInferRequest } from './passthrough.ts';
import { InferLink, type LinkMode } from './infer-link.ts';
import type { Logger } from '@switchyard/log';
import { w3cTraceContext } from '@switchyard/otel';
import type { Span } from '@opentelemetry/api';
import { PlacementRefused, StatusError } from './errors.ts';
import type { RequestControls } from './controls.ts';
import { Ejections } from './eject.ts';

export { EXECUTOR_INFER, EXECUTOR_INFER_STREAM } from './infer-link.ts';

interface ExecutorEntry { client: ExecutorClient; address: string; link: InferLink }

function closeEntry(e: ExecutorEntry): void {
  e.link.close();
  e.client.close();
}

/** An executor that left the table: its requests in flight are answered first (InferLink.retire). */
function retireEntry(e: ExecutorEntry): void {
  e.link.retire(() => e.client.close());
}

export interface Attempt { executorId: string; pool: string; region: string; code: string }
/** `response`: the executor's serialized inference.ModelInferResponse (passed through). */
export interface RoutedResult { response: Buffer; candidate: Candidate__Output; version: string; attempts: Attempt[]; decision: Decision }

const DECISION_CODE: Record<string, grpc.status> = {
  NOT_FOUND: grpc.status.NOT_FOUND,
  FAILED_PRECONDITION: grpc.status.FAILED_PRECONDITION,
  RESOURCE_EXHAUSTED: grpc.status.RESOURCE_EXHAUSTED,
  DEADLINE_EXCEEDED: grpc.status.DEADLINE_EXCEEDED,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
};

/**
 * Failures that mean "the executor is gone or never took the call" (connection refused or reset,
 * the process died mid-call, draining): UNAVAILABLE (grpc-js reports a dropped connection as
 * UNAVAILABLE "Connection dropped"), and INTERNAL/CANCELLED that carry a transport-level reset
 * (RST_STREAM, ECONNRESET...). Inference is idempotent (re-running it has no side effect), so a
 * request in flight on a dying executor is retried elsewhere too. Everything else (the executor's
 * own INVALID_ARGUMENT, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, INTERNAL model errors) is final.
 */
export function isExecutorLost(err: { code?: number; details?: string }): boolean {
  if (err.code === grpc.status.UNAVAILABLE) return true;
  if (err.code === grpc.status.INTERNAL || err.code === grpc.status.CANCELLED || err.code === grpc.status.UNKNOWN) {
    return /RST_STREAM|ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|Connection dropped|connection closed|stream removed|GOAWAY/i.test(err.details ?? '');
  }
  return false;
}

/** What the router decided for one request (the last attempt's decision), for its record. */
export interface DecisionTrace {
  decision?: Decision;
  request?: PlacementRequest;
  candidates?: CandidateSummary[];
  tableVersion?: number;
  ejected?: string[];
  version?: string;
  /** The (last) forward ran at the executors' background CPU priority. */
  background?: boolean;
  /** Time waited for a fair-share slot (ms); unset when fair sharing is off. */
  fairWaitMs?: number;
}

/** Per-request routing options: residency (region prefix, allowed regions, kept on every retry) and the admission hook. */
export interface InferOptions {
  region?: string;
  allowedRegions?: string[];
  /** Called with the placement decision before the first forward (quota charge); may throw to refuse. */
  beforeForward?: (d: Decision) => Promise<void>;
  /** The request's span: each attempt is a 'gateway.placed' event on it, and the executor's span
   *  is its child. */
  span?: Span;
  /**
   * Fair-share slots per executor for the model (admission): an executor already running that
   * many of this gateway's requests for the model is passed over while another has a free slot.
   */
  slotsPerExecutor?: number;
  /**
   * Asked at each forward: run the request at the executor's background CPU priority (its tenant
   * is backlogged on the model's fair share, admission.ts).
   */
  background?: () => boolean;
}

export interface ExecutorLoad { inFlight: number; completed: number; failed: number }

export class Router {
  private index: RouteIndex | undefined;
  private tableVersion = 0;
  private tableAt = 0;
  private readonly placer = new Placer();
  readonly ejections: Ejections;
  private readonly clients = new Map<string, ExecutorEntry>();
  private readonly transport: LinkMode;
  readonly load = new Map<string, ExecutorLoad>();
  /** In-flight requests per executor and model (key `executor\u0000model`); entries at 0 are dropped. */
  private readonly modelLoad = new Map<string, number>();
  private readonly identity: MeshIdentity;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly clientFactory: ((c: { executor_id: string; address: string; spiffe_id: string }) => ExecutorClient) | undefined;
  /** Asked while no table has arrived yet. */
  private readonly fallbackPlace: ((model: string, version: string, exclude: string[]) => Promise<PlaceResponse__Output>) | undefined;

  constructor(opts: {
    identity: MeshIdentity; log: Logger; random?: () => number; ejectMs?: number;
    clientFactory?: (c: { executor_id: string; address: string; spiffe_id: string }) => ExecutorClient;
    fallbackPlace?: (model: string, version: string, exclude: string[]) => Promise<PlaceResponse__Output>;
    /** How requests reach executors (infer-link.ts): 'stream' (default) or 'unary' Infer calls. */
    transport?: LinkMode;
  }) {
    this.transport = opts.transport ?? 'stream';
    this.ejections = new Ejections(opts.ejectMs !== undefined ? { ejectMs: opts.ejectMs } : {});
    this.clientFactory = opts.clientFactory;
    this.identity = opts.identity;
    this.log = opts.log;
    this.random = opts.random ?? Math.random;
    this.fallbackPlace = opts.fallbackPlace;
  }

  get version(): number { return this.tableVersion; }
  get ageMs(): number { return this.tableAt ? Date.now() - this.tableAt : -1; }
  get hasTable(): boolean { return this.index !== undefined; }
  routes(): RouteIndex | undefined { return this.index; }

  /** Installs a newer table; closes channels to executors that left it. */
  setTable(t: PlacementTable__Output): void {
    if (t.version <= this.tableVersion && this.index) return;
    this.index = indexTable(t);
    this.tableVersion = t.version;
    this.tableAt = Date.now();
    const live = new Set<string>();
    for (const r of t.routes) for (const c of r.candidates) live.add(c.executor_id);
    for (const [id, entry] of this.clients) {
      if (!live.has(id)) {
        retireEntry(entry);
        this.clients.delete(id);
      }
    }
  }

  clientFor(c: { executor_id: string; address: string; spiffe_id: string }): ExecutorClient {
    return this.entryFor(c).client;
  }

  /** The request path to the executor (infer-link.ts): its InferStream, over the same channel. */
  private linkFor(c: { executor_id: string; address: string; spiffe_id: string }): InferLink {
    return this.entryFor(c).link;
  }

  private entryFor(c: { executor_id: string; address: string; spiffe_id: string }): ExecutorEntry {
    const cur = this.clients.get(c.executor_id);
    if (cur && cur.address === c.address) return cur;
    if (cur) retireEntry(cur);
    const client = this.clientFactory ? this.clientFactory(c) : createClient<ExecutorClient>(executorV1.Executor, c.address, this.identity, { defaultDeadlineMs: 0, ...(c.spiffe_id ? { serverSpiffeId: c.spiffe_id } : {}) });
    const entry = { client, address: c.address, link: new InferLink(client as unknown as grpc.Client, this.transport) };
    this.clients.set(c.executor_id, entry);
    return entry;
  }

  /** Resolves the version ('' = latest) or throws NOT_FOUND. */
  resolve(model: string, version: string): { version: string; candidates: readonly Candidate__Output[] } {
    const idx = this.index;
    if (!idx) throw new StatusError(grpc.status.UNAVAILABLE, 'no placement table yet: the scheduler has not published one');
    const v = version || idx.latestVersion(model);
    if (!v) throw new StatusError(grpc.status.NOT_FOUND, `unknown model '${model}': no executor serves it`);
    const cands = idx.routeFor(model, v);
    if (!cands || cands.length === 0) {
      throw new StatusError(grpc.status.NOT_FOUND, `model '${model}' version '${v}' is not available (latest is ${idx.latestVersion(model) ?? 'none'})`);
    }
    return { version: v, candidates: cands };
  }

  private loadOf(id: string): ExecutorLoad {
    let l = this.load.get(id);
    if (!l) {
      l = { inFlight: 0, completed: 0, failed: 0 };
      this.load.set(id, l);
    }
    return l;
  }

  /**
   * Batch slots of the executors this gateway would use for the model (sum of max(1, max batch)),
   * for the shedder's capacity estimate; locally ejected executors do not count. 0 when unknown.
   */
  slotsFor(model: string, version: string): number {
    let cands: readonly Candidate__Output[];
    try { cands = this.resolve(model, version).candidates; } catch { return 0; }
    const now = Date.now();
    let slots = 0;
    for (const c of cands) if (c.healthy && !this.ejections.isEjected(c.executor_id, now)) slots += c.max_batch_size >= 1 ? c.max_batch_size : 1;
    return slots;
  }

  /**
   * Places and forwards one request; after an "executor lost" failure (isExecutorLost) ejects that
   * executor locally and retries once elsewhere while the deadline allows. `trace` receives the
   * (last) decision for the request's record.
   */
  async infer(req: RawInferRequest, ctl: RequestControls, opts: InferOptions = {}, trace?: DecisionTrace): Promise<RoutedResult> {
    const attempts: Attempt[] = [];
    const exclude = new Set<string>();
    if (!this.index && this.fallbackPlace) {
      // The scheduler's Place has no allowed-regions field: residency needs the local table.
      if (opts.allowedRegions?.length) throw new StatusError(grpc.status.UNAVAILABLE, 'no placement table yet: cannot enforce the residency rule; retry shortly');
      return this.inferViaScheduler(req, ctl, attempts, opts.span);
    }
    const { version, candidates } = this.resolve(req.model_name, req.model_version);
    if (trace) { trace.version = version; trace.tableVersion = this.tableVersion; }
    for (let attempt = 0; attempt < 2; attempt++) {
      const now = Date.now();
      const budget = ctl.deadlineAtMs === undefined ? undefined : ctl.deadlineAtMs - now;
      if (budget !== undefined && budget <= 0) {
        throw new StatusError(grpc.status.DEADLINE_EXCEEDED, attempt === 0 ? 'deadline already passed on arrival' : `deadline passed after ${attempts.length} attempt(s): ${attempts.map((a) => `${a.executorId}:${a.code}`).join(', ')}`);
      }
      const model = req.model_name;
      const ctx = { nowMs: now, random: this.random, live: { inFlight: (id: string) => this.load.get(id)?.inFlight ?? 0, modelInFlight: (id: string) => this.modelInFlight(id, model) } };
      const base: PlacementRequest = { model, version, poolPreference: ctl.poolPreference, priority: ctl.priority, exclude, ...(budget !== undefined ? { deadlineMs: budget } : {}), ...(opts.region ? { region: opts.region } : {}), ...(opts.allowedRegions?.length ? { allowedRegions: opts.allowedRegions } : {}), ...(opts.slotsPerExecutor !== undefined && opts.slotsPerExecutor > 0 ? { slotsPerExecutor: opts.slotsPerExecutor } : {}) };
      // Locally ejected executors are avoided while anything else can take the request.
      let preq = base;
      let ejected: string[] = [];
      if (this.ejections.size > 0) {
        ejected = this.ejections.active(now).filter((id) => candidates.some((c) => c.executor_id === id));
        if (ejected.length > 0) preq = { ...base, exclude: new Set([...exclude, ...ejected]) };
      }
      let decision = this.placer.decide(preq, candidates, ctx);
      if (!decision.placed && preq !== base) {
        const again = this.placer.decide(base, candidates, ctx);
        if (again.placed) { decision = again; preq = base; ejected = []; }
      }
      if (trace) {
        trace.decision = decision;
        trace.request = preq;
        trace.ejected = ejected;
        trace.candidates = summarizeCandidates(this.placer.filters, preq, candidates, ctx, decision.candidate?.executor_id);
      }
      if (!decision.placed || !decision.candidate) {
        const code = DECISION_CODE[decision.code ?? 'UNAVAILABLE'] ?? grpc.status.UNAVAILABLE;
        const prior = attempts.length ? ` (after ${attempts.map((a) => `${a.executorId}:${a.code}`).join(', ')})` : '';
        throw new PlacementRefused(code, `${decision.reason}${prior}`);
      }
      const cand = decision.candidate;
      if (opts.span?.isRecording()) {
        opts.span.addEvent('gateway.placed', { 'switchyard.executor_id': cand.executor_id, 'switchyard.pool': cand.pool, 'switchyard.predicted_ms': decision.predictedMs ?? 0, 'switchyard.reason': decision.reason, 'switchyard.attempt': attempt + 1 });
      }
      // Admission's quota charge, once per request (a retry is not charged again).
      if (attempt === 0 && opts.beforeForward) await opts.beforeForward(decision);
      const background = opts.background?.() ?? false;
      if (trace) trace.background = background;
      try {
        const response = await this.forward(cand, req, version, ctl.deadlineAtMs, opts.span, background);
        attempts.push({ executorId: cand.executor_id, pool: cand.pool, region: cand.region, code: 'OK' });
        return { response, candidate: cand, version, attempts, decision };
      } catch (e) {
        const err = e as grpc.ServiceError;
        attempts.push({ executorId: cand.executor_id, pool: cand.pool, region: cand.region, code: grpc.status[err.code] ?? String(err.code) });
        if (!isExecutorLost(err)) throw e;
        this.ejections.eject(cand.executor_id, Date.now());
        if (attempt === 1) {
          // Two executors lost in a row: say so precisely rather than leak a transport error.
          throw new StatusError(grpc.status.UNAVAILABLE, `executors lost: ${attempts.map((a) => `${a.executorId}:${a.code}`).join(', ')}; last: ${err.details}`);
        }
        exclude.add(cand.executor_id);
        this.log.warn({ executor_id: cand.executor_id, code: grpc.status[err.code], err: err.details, request_id: req.id }, 'executor lost; ejected locally, retrying elsewhere');
      }
    }
    throw new StatusError(grpc.status.INTERNAL, 'unreachable');
  }

  private async inferViaScheduler(req: RawInferRequest, ctl: RequestControls, attempts: Attempt[], span: Span | undefined): Promise<RoutedResult> {
    const excluded: string[] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const p = await this.fallbackPlace!(req.model_name, req.model_version, excluded);
      if (!p.placed) throw new StatusError(grpc.status.UNAVAILABLE, `scheduler could not place the request: ${p.reason}`);
      const cand = { executor_id: p.executor_id, address: p.address, pool: p.pool, spiffe_id: p.spiffe_id, region: '' } as Candidate__Output;
      if (span?.isRecording()) span.addEvent('gateway.placed', { 'switchyard.executor_id': cand.executor_id, 'switchyard.pool': cand.pool, 'switchyard.reason': `scheduler Place: ${p.reason}`, 'switchyard.attempt': attempt + 1 });
      try {
        const response = await this.forward(cand, req, p.model_version, ctl.deadlineAtMs, span);
        attempts.push({ executorId: cand.executor_id, pool: cand.pool, region: '', code: 'OK' });
        return { response, candidate: cand, version: p.model_version, attempts, decision: { placed: true, candidate: cand, reason: `scheduler Place: ${p.reason}` } };
      } catch (e) {
        const err = e as grpc.ServiceError;
        attempts.push({ executorId: cand.executor_id, pool: cand.pool, region: '', code: grpc.status[err.code] ?? String(err.code) });
        if (!isExecutorLost(err) || attempt === 1) throw e;
        excluded.push(cand.executor_id);
      }
    }
    throw new StatusError(grpc.status.INTERNAL, 'unreachable');
  }

  /** This gateway's in-flight requests for `model` on executor `id`. */
  modelInFlight(id: string, model: string): number {
    return this.modelLoad.get(`${id}\u0000${model}`) ?? 0;
  }

  private forward(cand: Candidate__Output, req: RawInferRequest, version: string, deadlineAtMs: number | undefined, parent: Span | undefined, background = false): Promise<Buffer> {
    const link = this.linkFor(cand);
    const load = this.loadOf(cand.executor_id);
    load.inFlight++;
    const mkey = `${cand.executor_id}\u0000${req.model_name}`;
    this.modelLoad.set(mkey, (this.modelLoad.get(mkey) ?? 0) + 1);
    // The executor's span is the child of the request's span: no CLIENT span for this hop
    // (libs/otel/src/hot-path.ts); the attempt is the 'gateway.placed' event, a failure below.
    const done = (): void => {
      load.inFlight--;
      const m = (this.modelLoad.get(mkey) ?? 1) - 1;
      if (m > 0) this.modelLoad.set(mkey, m);
      else this.modelLoad.delete(mkey);
    };
    // The caller's bytes, as they came (passthrough.ts): no tensor is decoded or re-encoded here.
    return link.infer(requestForVersion(req, version), deadlineAtMs ?? Date.now() + 30_000, w3cTraceContext(parent), background).then((res) => {
      done();
      load.completed++;
      return res;
    }, (err: grpc.ServiceError) => {
      done();
      if (parent?.isRecording()) parent.addEvent('gateway.forward.failed', { 'switchyard.executor_id': cand.executor_id, 'rpc.grpc.status_code': err.code, 'switchyard.error': err.details ?? '' });
      load.failed++;
      throw err;
    });
  }

  close(): void {
    for (const entry of this.clients.values()) closeEntry(entry);
    this.clients.clear();
  }
}

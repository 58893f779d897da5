// The Open Inference Protocol (KServe v2) service with Triton's RepositoryIndex and
// ModelStatistics extensions: authenticate, admit, place, forward, report the outcome.
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import type { Logger } from '@switchyard/log';
import { startServerSpan, endRpcSpan, spanIds } from '@switchyard/otel';
import type { Principal } from '@switchyard/auth';
import type {
  InferRequestHeader__Output, ModelMetadataRequest__Output, ModelMetadataResponse, ModelReadyRequest__Output,
  ModelStatisticsRequest__Output, ModelStatisticsResponse, ModelStatistics__Output, RepositoryIndexRequest__Output, RepositoryIndexResponse,
  Outcome, ExecutorClient,
} from '@switchyard/proto';
import { PlacementRefused, StatusError, toServiceError, statusName } from './errors.ts';
import { readControls } from './controls.ts';
import { mergeStatistics } from './stats.ts';
import type { Router, DecisionTrace, RoutedResult } from './router.ts';
import type { LoadShedder } from './shed.ts';
import type { DecisionRecord } from './decisions.ts';
import type { RequestControls } from './controls.ts';
import { PolicyDenied, type AdmitContext, type Admitted } from './admission.ts';
import { withResponseExtras, type RawInferRequest } from './passthrough.ts';

export interface OipDeps {
  router: Router;
  log: Logger;
  authenticate(md: grpc.Metadata): Promise<Principal>;
  /** Policy decision for one request (admission.ts): throws PolicyDenied; returns the residency, fair-share and quota hooks. */
  admit(p: Principal, req: InferRequestHeader__Output, ctl: RequestControls, ctx: AdmitContext): Admitted;
  /** Told about every policy refusal (audit). */
  onDeny?(p: Principal | undefined, e: PolicyDenied, model: string, ctx: AdmitContext): void;
  emit(o: Outcome): void;
  version: string;
  /** Overload shedding by priority; none = never shed. */
  shedder?: LoadShedder;
  /** Keeps the request's decision record (DecisionStore.record); none = not kept. */
  record?(r: DecisionRecord): void;
  /** Told, after the response, about each request that went through fair sharing: its wait for a
   *  slot and whether it was forwarded at background CPU priority (metrics.ts). */
  onFairShare?(tenant: string, model: string, waitMs: number, background: boolean): void;
  gatewayId?: string;
}

/** Traced by the gateway itself (startServerSpan), not by the gRPC instrumentation. */
export const MODEL_INFER = '/inference.GRPCInferenceService/ModelInfer';

function poolWord(pool: string | undefined): string {
  return pool === 'POOL_GPU' ? 'gpu' : pool === 'POOL_CPU' ? 'cpu' : '';
}

/** The compact decision record of one request, from what the router traced (nothing recomputed). */
export function buildRecord(a: {
  requestId: string; gatewayId: string; model: string; version: string; tenant: string; ctl: RequestControls | undefined;
  trace: DecisionTrace; result: RoutedResult | undefined; status: string; latencyMs: number; reason: string; nowMs: number;
}): DecisionRecord {
  const d = a.trace.decision;
  const placedOn = a.result?.candidate ?? d?.candidate;
  const deadline = a.trace.request?.deadlineMs;
  return {
    request_id: a.requestId,
    gateway_id: a.gatewayId,
    at_ms: a.nowMs,
    model_name: a.model,
    model_version: a.trace.version ?? a.version,
    tenant: a.tenant,
    priority: a.ctl?.priority ?? 0,
    pool_preference: a.ctl?.poolPreference ?? 'auto',
    deadline_ms: deadline !== undefined && deadline > 0 ? deadline : 0,
    placed: d?.placed ?? a.result !== undefined,
    executor_id: placedOn?.executor_id ?? '',
    pool: placedOn?.pool ?? 'POOL_UNSPECIFIED',
    predicted_ms: d?.predictedMs ?? 0,
    cost_per_request: d?.costPerRequest ?? 0,
    reason: a.reason,
    table_version: a.trace.tableVersion ?? 0,
    candidates: (a.trace.candidates ?? []).map((c) => ({
      executor_id: c.executorId, pool: c.pool, cpu_fallback: c.cpuFallback, predicted_ms: c.predictedMs, cost_per_request: c.costPerRequest,
      feasible: c.feasible, chosen: c.chosen, verdict: c.verdict, live_in_flight: c.liveInFlight, table_load: c.tableLoad, cost_per_hour: c.costPerHour,
    })),
    status: a.status,
    attempts: (a.result?.attempts ?? []).map((x) => ({ executor_id: x.executorId, status: x.code })),
    latency_ms: a.latencyMs,
    code: d && !d.placed ? (d.code ?? '') : '',
    ejected: a.trace.ejected ?? [],
    background: a.trace.background ?? false,
    fair_wait_ms: a.trace.fairWaitMs ?? 0,
  };
}

type Unary<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => void;

function handle<Req, Res>(log: Logger, name: string, fn: (call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>): Unary<Req, Res> {
  return (call, cb) => {
    fn(call).then(
      (res) => cb(null, res),
      (e: unknown) => {
        const se = toServiceError(e);
        if (se.code === grpc.status.INTERNAL) log.error({ rpc: name, err: (e as Error)?.message }, 'internal error');
        cb(se);
      },
    );
  };
}

function unaryCall<Res>(fn: (cb: (err: grpc.ServiceError | null, res?: Res) => void) => void): Promise<Res> {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res as Res))));
}

export function oipImplementation(d: OipDeps): grpc.UntypedServiceImplementation {
  const { router, log } = d;
  const pickClient = (model: string, version: string): { client: ExecutorClient; version: string } => {
    const r = router.resolve(model, version);
    const c = r.candidates[Math.floor(Math.random() * r.candidates.length)]!;
    return { client: router.clientFor(c), version: r.version };
  };
  return {
    ServerLive: handle(log, 'ServerLive', async () => ({ live: true })),
    ServerReady: handle(log, 'ServerReady', async () => ({ ready: router.hasTable && (router.routes()?.models().length ?? 0) > 0 })),
    ServerMetadata: handle(log, 'ServerMetadata', async () => ({
      name: 'switchyard',
      version: d.version,
      extensions: ['model_repository', 'statistics', 'switchyard_placement'],
    })),
    ModelReady: handle<ModelReadyRequest__Output, { ready: boolean }>(log, 'ModelReady', async (call) => {
      await d.authenticate(call.metadata);
      if (!call.request.name) throw new StatusError(grpc.status.INVALID_ARGUMENT, 'name is required');
      try {
        return { ready: router.resolve(call.request.name, call.request.version).candidates.length > 0 };
      } catch (e) {
        if (e instanceof StatusError && e.code === grpc.status.NOT_FOUND) return { ready: false };
        throw e;
      }
    }),
    ModelMetadata: handle<ModelMetadataRequest__Output, ModelMetadataResponse>(log, 'ModelMetadata', async (call) => {
      await d.authenticate(call.metadata);
      if (!call.request.name) throw new StatusError(grpc.status.INVALID_ARGUMENT, 'name is required');
      const { client, version } = pickClient(call.request.name, call.request.version);
      const md = await unaryCall<ModelMetadataResponse>((cb) => client.ModelMetadata({ name: call.request.name, version }, { deadline: Date.now() + 5000 }, cb));
      const versions = router.routes()?.versions(call.request.name) ?? [];
      return { ...md, versions };
    }),
    RepositoryIndex: handle<RepositoryIndexRequest__Output, RepositoryIndexResponse>(log, 'RepositoryIndex', async (call) => {
      await d.authenticate(call.metadata);
      const idx = router.routes();
      const models: NonNullable<RepositoryIndexResponse['models']> = [];
      for (const name of idx?.models() ?? []) {
        for (const v of idx!.versions(name)) models.push({ name, version: v, state: 'READY', reason: '' });
      }
      return { models };
    }),
    ModelStatistics: handle<ModelStatisticsRequest__Output, ModelStatisticsResponse>(log, 'ModelStatistics', async (call) => {
      await d.authenticate(call.metadata);
      const { name, version } = call.request;
      const idx = router.routes();
      const targets = new Map<string, { executor_id: string; address: string; spiffe_id: string }>();
      const names = name ? [name] : idx?.models() ?? [];
      if (name && !(idx?.models().includes(name))) throw new StatusError(grpc.status.NOT_FOUND, `unknown model '${name}'`);
      for (const n of names) for (const v of idx!.versions(n)) {
        if (version && v !== version) continue;
        for (const c of idx!.routeFor(n, v) ?? []) targets.set(c.executor_id, c);
      }
      const parts = await Promise.all([...targets.values()].map((c) =>
        unaryCall<ModelStatisticsResponse>((cb) => router.clientFor(c).ModelStatistics({ name, version }, { deadline: Date.now() + 5000 }, cb))
          .catch((e: grpc.ServiceError) => { log.warn({ executor_id: c.executor_id, code: e.code }, 'statistics unavailable from executor'); return { model_stats: [] }; })));
      return { model_stats: mergeStatistics(parts.flatMap((p) => (p.model_stats ?? []) as ModelStatistics__Output[])) };
    }),
    // ModelInfer is registered with passthroughDefinition: the request arrives as its header and
    // bytes, the response leaves as bytes (passthrough.ts).
    ModelInfer: handle<RawInferRequest, Buffer>(log, 'ModelInfer', async (call) => {
      const started = performance.now();
      const req = call.request;
      // OIP echoes the client's id; a request without one gets a generated id, and the id used
      // for the decision record and the outcome is always returned as `switchyard_request_id`.
      const requestId = req.id || randomUUID();
      let principal: Principal | undefined;
      // The request's gRPC server span, made here rather than by the gRPC instrumentation (main.ts:
      // traceGrpcManually): outcome events carry its trace across NATS.
      const span = startServerSpan(MODEL_INFER, call.metadata);
      const { traceId, spanId } = spanIds(span);
      let outcome: Omit<Outcome, 'status' | 'latency_ms' | 'finished_at_ms'> = { request_id: requestId, model_name: req.model_name, model_version: req.model_version, trace_id: traceId, span_id: spanId };
      const trace: DecisionTrace = {};
      let ctl: RequestControls | undefined;
      let release: (() => void) | undefined;
      let admitted: Admitted | undefined;
      let result: RoutedResult | undefined;
      // The request's span end, outcome event and decision record are made after its response is
      // written: setImmediate runs in this event-loop turn's check phase, after the write and
      // before any later request (an Explain of this one, say) is read. Latency is taken now.
      const finish = (status: string, reason: string, code: number): void => {
        const latency = performance.now() - started;
        setImmediate(record, status, reason, code, latency);
      };
      const record = (status: string, reason: string, code: number, latency: number): void => {
        endRpcSpan(span, code, code === 0 ? undefined : reason);
        const dec = trace.decision;
        d.emit({
          ...outcome, status, latency_ms: latency, finished_at_ms: Date.now(),
          cost: dec?.placed ? (dec.costPerRequest ?? 0) : 0, predicted_ms: dec?.predictedMs ?? 0, placement_reason: ctl && ctl.poolPreference !== 'auto' ? `${reason}; pinned by pool preference ${ctl.poolPreference}` : reason, table_version: trace.tableVersion ?? 0,
        });
        if (trace.fairWaitMs !== undefined && principal) d.onFairShare?.(principal.tenant, req.model_name, trace.fairWaitMs, trace.background ?? false);
        // Only requests that reached placement (or were shed) carry a decision worth explaining.
        if (d.record && (trace.decision || ctl)) {
          d.record(buildRecord({ requestId, gatewayId: d.gatewayId ?? '', model: req.model_name, version: req.model_version, tenant: principal?.tenant ?? '', ctl, trace, result, status, latencyMs: latency, reason, nowMs: Date.now() }));
        }
      };
      try {
        principal = await d.authenticate(call.metadata);
        outcome.tenant = principal.tenant;
        if (!req.model_name) throw new StatusError(grpc.status.INVALID_ARGUMENT, 'model_name is required');
        ctl = readControls(req.parameters, call.getDeadline(), Date.now());
        admitted = d.admit(principal, req, ctl, { requestId, traceId });
        if (d.shedder) release = d.shedder.enter(req.model_name, ctl.priority, router.slotsFor(req.model_name, req.model_version));
        const waitFrom = performance.now();
        try {
          await admitted.waitTurn();
        } finally {
          // Also when the wait ends in a refusal (deadline passed, queue full).
          if (admitted.slotsPerExecutor) trace.fairWaitMs = performance.now() - waitFrom;
        }
        if (span.isRecording()) span.addEvent('gateway.admitted', { 'switchyard.tenant': principal.tenant, 'switchyard.priority': ctl.priority, 'switchyard.pool_preference': ctl.poolPreference });
        const adm = admitted;
        const r = await router.infer(req, ctl, { ...(adm.allowedRegions ? { allowedRegions: adm.allowedRegions } : {}), ...(adm.slotsPerExecutor ? { slotsPerExecutor: adm.slotsPerExecutor } : {}), beforeForward: (dec) => adm.charge(dec), background: () => adm.background(), span }, trace).catch((e: unknown) => {
          // Residency: a request no allowed region can take is refused naming the rule. Other
          // placement refusals (the region's executors lost or too slow for the deadline) keep
          // their code and name the rule too, which is why healthy executors elsewhere were not used.
          if (adm.allowedRegions && e instanceof PlacementRefused) {
            const why = `residency rule '${adm.residencyRule}' allows only regions [${adm.allowedRegions.join(', ')}]: ${e.message}`;
            if (e.code === grpc.status.FAILED_PRECONDITION) throw new PolicyDenied(e.code, why, adm.residencyRule ?? 'residency');
            throw new StatusError(e.code, why, e.metadata);
          }
          throw e;
        });
        result = r;
        const last = r.attempts[r.attempts.length - 1]!;
        outcome = { ...outcome, model_version: r.version, executor_id: last.executorId, pool: r.candidate.pool, region: r.candidate.region, attempts: r.attempts.length };
        finish('OK', r.decision.reason, grpc.status.OK);
        // Say where it ran (and whether that executor is a GPU in CPU fallback), so callers can see why.
        return withResponseExtras(r.response, r.version, {
          switchyard_request_id: { string_param: requestId },
          switchyard_executor: { string_param: r.candidate.executor_id },
          switchyard_pool: { string_param: poolWord(r.candidate.pool) },
          switchyard_cpu_fallback: { bool_param: r.candidate.cpu_fallback },
          switchyard_attempts: { int64_param: r.attempts.length },
          switchyard_predicted_ms: { double_param: r.decision.predictedMs ?? 0 },
          switchyard_cost: { double_param: r.decision.costPerRequest ?? 0 },
        });
      } catch (e) {
        const se = toServiceError(e);
        const dec = trace.decision;
        finish(statusName(se.code ?? grpc.status.UNKNOWN), dec && !dec.placed ? dec.reason : String(se.details ?? ''), se.code ?? grpc.status.UNKNOWN);
        if (e instanceof PolicyDenied) d.onDeny?.(principal, e, req.model_name, { requestId, traceId });
        if (e instanceof StatusError) {
          // Give the caller the id to explain a refusal with.
          const md = e.metadata ?? new grpc.Metadata();
          md.set('switchyard-request-id', requestId);
          throw new StatusError(e.code, e.message, md);
        }
        throw e;
      } finally {
        admitted?.release();
        release?.();
      }
    }),
  };
}

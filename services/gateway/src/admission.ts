// Admission: the policy decision (local, from the latest bundle the policy service published),
// the quota (token buckets in Redis, one atomic call per request, charged after placement with
// the predicted executor time), weighted fair sharing of each model's slots, and the audit of
// every refusal (batched onto JetStream off the request path).
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import type { Logger } from '@switchyard/log';
import type { Principal } from '@switchyard/auth';
import { evaluate, FairShare, QueueFullError, type Bundle, type Ticket, type Decision as PolicyDecision } from '@switchyard/policy-engine';
import type { BucketResult, BucketSpec } from '@switchyard/store';
import { quotaKeys } from '@switchyard/store';
import type { Decision as PlacementDecision } from '@switchyard/placement';
import type { AuditEvent, InferParameter__Output, InferRequestHeader__Output } from '@switchyard/proto';
import { StatusError } from './errors.ts';
import type { RequestControls } from './controls.ts';

/** A refusal by policy: carries the rule for the audit record. */
export class PolicyDenied extends StatusError {
  readonly rule: string;
  constructor(code: grpc.status, message: string, rule: string, metadata?: grpc.Metadata) {
    super(code, message, metadata);
    this.rule = rule;
  }
}

export interface AdmitContext { requestId: string; traceId: string }

export interface Admitted {
  /** Region prefixes the request may run in (residency); undefined = anywhere. */
  allowedRegions?: string[];
  /** The residency rule behind allowedRegions (for refusal messages). */
  residencyRule?: string;
  /** Wait for a fair-share slot of the model; resolves at once when one is free. */
  waitTurn(): Promise<void>;
  /**
   * The fair-share slots per executor (undefined = fair sharing off), for placement: the model's
   * capacity is this many per usable executor, and placement passes over an executor that already
   * runs this many of the gateway's requests for the model while another has a free slot.
   */
  slotsPerExecutor?: number;
  /** Charge the quota once the request is placed (before it is forwarded); throws RESOURCE_EXHAUSTED. */
  charge(placement: PlacementDecision): Promise<void>;
  /** Give the fair-share slot back. Idempotent. */
  release(): void;
  /**
   * Whether the request should run at the executors' background CPU priority now: its tenant is
   * backlogged on the model's fair share (libs/policy-engine fair.ts). False without fair sharing.
   */
  background(): boolean;
}

export type TakeBuckets = (requests: BucketSpec | undefined, time: BucketSpec | undefined) => Promise<BucketResult>;

export interface AdmissionOptions {
  log: Logger;
  /** The quota store call; undefined = no quotas. */
  take?: TakeBuckets;
  quotaFailMode: 'open' | 'closed';
  /** Requests/s per tenant while no policy bundle has arrived (legacy default). */
  tenantRps: number;
  /** Refuse everything (UNAVAILABLE) until a bundle arrives, instead of the open default. */
  policyRequired: boolean;
  /** Usable executors of a model (0 = unknown: fair sharing off for it). */
  executorsFor(model: string, version: string): number;
  /** Fair-share capacity: concurrent requests per usable executor of the model (0 = fair sharing off). */
  fairPerExecutor: number;
  /** The concrete version for '' (latest), or '' when unknown. */
  resolveVersion(model: string, version: string): string;
  /** Where audit records go (batched by the caller). */
  audit(ev: AuditEvent): void;
  gatewayId: string;
  now?: () => number;
}

function strParam(p: InferParameter__Output | undefined, name: string): string | undefined {
  if (!p) return undefined;
  if (p.parameter_choice !== 'string_param') throw new StatusError(grpc.status.INVALID_ARGUMENT, `parameter '${name}' must be a string`);
  const v = (p.string_param ?? '').trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/.test(v)) throw new StatusError(grpc.status.INVALID_ARGUMENT, `parameter '${name}' must be 1-128 characters of [A-Za-z0-9._:@-]`);
  return v;
}

const DENY_STATUS: Record<string, grpc.status> = {
  PERMISSION_DENIED: grpc.status.PERMISSION_DENIED,
  FAILED_PRECONDITION: grpc.status.FAILED_PRECONDITION,
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
};

export class Admission {
  private bundle: Bundle | undefined;
  private readonly o: AdmissionOptions;
  readonly fair: FairShare;
  private readonly now: () => number;
  /** Counters for status and tests. */
  readonly counts = { allowed: 0, denied: 0, quotaRefused: 0, quotaStoreErrors: 0 };

  constructor(o: AdmissionOptions) {
    this.o = o;
    this.now = o.now ?? Date.now;
    this.fair = new FairShare({ maxQueue: 10_000, now: this.now });
  }

  get policyVersion(): number {
    return this.bundle?.version ?? 0;
  }

  /** Install a newer bundle (older or equal versions are ignored: KV redelivery is harmless). */
  setBundle(b: Bundle): boolean {
    if (this.bundle && b.version <= this.bundle.version) return false;
    this.bundle = b;
    this.o.log.info({ policy_version: b.version, sha256: b.sha256.slice(0, 12), tenants: Object.keys(b.doc.tenants).length }, 'policy bundle installed');
    return true;
  }

  /** Record a refusal for the audit log (never throws, never waits). */
  auditDeny(p: { tenant: string; subject?: string } | undefined, e: { code: grpc.status; message: string; rule: string }, model: string, ctx: AdmitContext): void {
    this.counts.denied++;
    this.o.audit({
      id: randomUUID(), at_ms: this.now(), kind: 'deny', actor: p?.subject || p?.tenant || '', tenant: p?.tenant ?? '', rule: e.rule, decision: 'deny',
      code: grpc.status[e.code] ?? String(e.code), reason: e.message, trace_id: ctx.traceId, model, request_id: ctx.requestId, policy_version: this.policyVersion, source: this.o.gatewayId,
    });
  }

  /**
   * Decide one request. Throws PolicyDenied (PERMISSION_DENIED, INVALID_ARGUMENT,
   * FAILED_PRECONDITION, UNAVAILABLE when a policy is required and none has arrived).
   */
  admit(p: Principal, req: InferRequestHeader__Output, ctl: RequestControls, _ctx: AdmitContext): Admitted {
    const classification = strParam(req.parameters?.data_classification, 'data_classification');
    let decision: PolicyDecision;
    if (!this.bundle) {
      if (this.o.policyRequired) throw new PolicyDenied(grpc.status.UNAVAILABLE, 'no policy bundle received yet (policyRequired=true)', 'policy');
      if (classification !== undefined) throw new PolicyDenied(grpc.status.FAILED_PRECONDITION, `data_classification '${classification}' cannot be honoured: no policy (residency rules) has been applied`, 'residency');
      decision = { allow: true, rule: 'no-policy', reason: 'no policy applied: open', quota: { requestsPerSecond: this.o.tenantRps, burst: this.o.tenantRps }, weight: 1 };
    } else {
      const version = this.o.resolveVersion(req.model_name, req.model_version);
      decision = evaluate(this.bundle, {
        principal: { tenant: p.tenant, roles: p.roles, subject: p.subject },
        model: req.model_name, version, priority: ctl.priority,
        ...(classification !== undefined ? { classification } : {}),
      });
      if (!decision.allow) throw new PolicyDenied(DENY_STATUS[decision.code ?? 'PERMISSION_DENIED']!, `${decision.reason} (rule ${decision.rule})`, decision.rule);
    }
    this.counts.allowed++;
    let ticket: Ticket | undefined;
    const model = req.model_name;
    const out: Admitted = {
      waitTurn: async () => {
        const cap = this.o.fairPerExecutor > 0 ? Math.ceil(this.o.executorsFor(model, req.model_version) * this.o.fairPerExecutor) : 0;
        if (cap <= 0) return;
        let t;
        try {
          t = this.fair.enter(model, p.tenant, decision.weight, cap);
        } catch (e) {
          if (e instanceof QueueFullError) throw new StatusError(grpc.status.RESOURCE_EXHAUSTED, e.message);
          throw e;
        }
        ticket = t;
        if (!t.ready) return;
        const budget = ctl.deadlineAtMs === undefined ? undefined : ctl.deadlineAtMs - this.now();
        if (budget === undefined) return t.ready;
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([t.ready, new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new StatusError(grpc.status.DEADLINE_EXCEEDED, `deadline passed while waiting for a fair-share slot of '${model}'`)), Math.max(0, budget));
          })]);
        } finally {
          clearTimeout(timer);
        }
      },
      charge: async (placement) => {
        const take = this.o.take;
        const q = decision.quota;
        if (!take || (q.requestsPerSecond === undefined && q.gpuSecondsPerSecond === undefined)) return;
        const onGpu = placement.candidate?.pool === 'POOL_GPU';
        const keys = quotaKeys(p.tenant, onGpu ? 'gpu' : 'cpu');
        const reqB = q.requestsPerSecond !== undefined ? { key: keys.requests, rate: q.requestsPerSecond, burst: q.burst ?? q.requestsPerSecond, cost: 1 } : undefined;
        const timeB = onGpu && q.gpuSecondsPerSecond !== undefined
          ? { key: keys.time, rate: q.gpuSecondsPerSecond, burst: q.gpuBurstSeconds ?? q.gpuSecondsPerSecond, cost: Math.max(0.001, (placement.predictedMs ?? 0) / 1000) }
          : undefined;
        let r: BucketResult;
        try {
          r = await take(reqB, timeB);
        } catch (e) {
          this.counts.quotaStoreErrors++;
          if (this.o.quotaFailMode === 'closed') throw new PolicyDenied(grpc.status.UNAVAILABLE, 'quota store unreachable and quotaFailMode=closed', 'quota.store');
          this.o.log.warn({ err: (e as Error).message }, 'quota store unreachable; admitting (quotaFailMode=open)');
          return;
        }
        if (r.allowed) return;
        this.counts.quotaRefused++;
        const md = new grpc.Metadata();
        md.set('retry-after-ms', String(r.retryAfterMs));
        const what = r.refusedBy === 'executor-time'
          ? `tenant '${p.tenant}' is over its GPU time quota of ${q.gpuSecondsPerSecond} GPU-seconds per second (burst ${timeB?.burst})`
          : `tenant '${p.tenant}' is over its quota of ${reqB?.rate} requests per second (burst ${reqB?.burst})`;
        throw new PolicyDenied(grpc.status.RESOURCE_EXHAUSTED, `${what}; retry after ${r.retryAfterMs} ms`, r.refusedBy === 'executor-time' ? 'quota.gpuSecondsPerSecond' : 'quota.requestsPerSecond', md);
      },
      release: () => {
        ticket?.release();
        ticket = undefined;
      },
      background: () => ticket?.backlogged() ?? false,
    };
    if (this.o.fairPerExecutor > 0) out.slotsPerExecutor = Math.ceil(this.o.fairPerExecutor);
    if (decision.allowedRegions) out.allowedRegions = decision.allowedRegions;
    if (decision.residencyRule) out.residencyRule = decision.residencyRule;
    return out;
  }
}

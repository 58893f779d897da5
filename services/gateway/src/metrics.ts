// The gateway's own metrics beyond in-flight and shed (main.ts): local ejections and how much of
// each tenant's request quota the recent window used. Served on the gateway's Prometheus
// endpoint (SY_METRICS_PORT); names and meaning in docs/observability.md.
//
// Quota use is measured where the quota is charged: Admission calls one `take` per placed
// request with the tenant's request bucket (key sy:v1:quota:req:<tenant>, rate = the quota in
// force: the policy bundle's requestsPerSecond, or tenantRps while no policy is applied).
// `measureTake` wraps that call and counts the requests the bucket admitted in a per-tenant
// sliding window (QuotaUsage, pure: time is passed in). The ratio is admitted requests over the
// window / (rate × window), clamped to 0..1 (a burst can briefly admit more than the rate).
// This gateway's share only: several gateways share one bucket in Redis, so with N gateways
// `sum by (tenant)` of the gauge approximates the tenant's whole use.
import type { HistogramSeries, Meter, PreAggregatedMetrics } from '@switchyard/otel';
import { quotaKeys, type BucketResult, type BucketSpec } from '@switchyard/store';
import type { EjectHook } from './eject.ts';

/** The quota store call (defineTokenBuckets; the shape Admission's `take` option has). */
export type TakeBuckets = (requests: BucketSpec | undefined, time: BucketSpec | undefined) => Promise<BucketResult>;

export interface QuotaUsageOptions {
  /** Length of the sliding window (ms), default 10 s. */
  windowMs?: number;
  /** Resolution of the window (ms), default 1 s; windowMs is rounded to whole slots. */
  slotMs?: number;
  /** A tenant with no admitted request for this long is no longer reported (ms), default 10 min. */
  forgetMs?: number;
  /** Most tenants tracked; beyond it the least recently seen is dropped. Default 10 000. */
  maxTenants?: number;
}

interface TenantWindow {
  /** Requests/s of the tenant's quota (the latest rate seen). */
  rate: number;
  lastMs: number;
  /** Ring of counts per slot; `slot[i]` is the absolute slot number `counts[i]` belongs to. */
  counts: number[];
  slot: number[];
}

/** Per-tenant sliding window of requests admitted by the request quota (no I/O, no timers). */
export class QuotaUsage {
  readonly slotMs: number;
  /** Whole slots in the window. */
  readonly slots: number;
  private readonly forgetMs: number;
  private readonly maxTenants: number;
  private readonly tenants = new Map<string, TenantWindow>();

  constructor(o: QuotaUsageOptions = {}) {
    this.slotMs = Math.max(1, o.slotMs ?? 1000);
    this.slots = Math.max(1, Math.round((o.windowMs ?? 10_000) / this.slotMs));
    this.forgetMs = o.forgetMs ?? 600_000;
    this.maxTenants = Math.max(1, o.maxTenants ?? 10_000);
  }

  get windowMs(): number {
    return this.slots * this.slotMs;
  }

  /** Tenants currently tracked. */
  get size(): number {
    return this.tenants.size;
  }

  /** One request admitted for `tenant` under a quota of `rate` requests/s. */
  record(tenant: string, rate: number, nowMs: number): void {
    if (!(rate > 0)) return;
    let w = this.tenants.get(tenant);
    if (w) {
      this.tenants.delete(tenant); // re-insert: Map order is least recently seen first
    } else {
      if (this.tenants.size >= this.maxTenants) this.tenants.delete(this.tenants.keys().next().value!);
      w = { rate, lastMs: nowMs, counts: new Array<number>(this.slots + 1).fill(0), slot: new Array<number>(this.slots + 1).fill(-1) };
    }
    this.tenants.set(tenant, w);
    w.rate = rate;
    w.lastMs = nowMs;
    const s = Math.floor(nowMs / this.slotMs);
    const i = s % w.counts.length;
    if (w.slot[i] !== s) {
      w.slot[i] = s;
      w.counts[i] = 0;
    }
    w.counts[i]! += 1;
  }

  /**
   * The used ratio of every tenant seen within forgetMs: admitted requests in the last
   * `slots` whole slots plus the current partial one, over rate × that span; 0..1.
   */
  ratios(nowMs: number): Array<{ tenant: string; ratio: number }> {
    const cur = Math.floor(nowMs / this.slotMs);
    const spanS = (this.slots * this.slotMs + (nowMs - cur * this.slotMs)) / 1000;
    const out: Array<{ tenant: string; ratio: number }> = [];
    for (const [tenant, w] of this.tenants) {
      if (nowMs - w.lastMs > this.forgetMs) {
        this.tenants.delete(tenant);
        continue;
      }
      let n = 0;
      for (let i = 0; i < w.counts.length; i++) {
        const s = w.slot[i]!;
        if (s <= cur && s >= cur - this.slots) n += w.counts[i]!;
      }
      out.push({ tenant, ratio: Math.min(1, Math.max(0, n / (w.rate * spanS))) });
    }
    return out;
  }
}

const REQUEST_KEY_PREFIX = quotaKeys('', '').requests; // sy:v1:quota:req:

/** The tenant a request-bucket key belongs to (sy:v1:quota:req:<tenant>), or undefined. */
export function tenantOfRequestKey(key: string): string | undefined {
  return key.startsWith(REQUEST_KEY_PREFIX) && key.length > REQUEST_KEY_PREFIX.length ? key.slice(REQUEST_KEY_PREFIX.length) : undefined;
}

/**
 * Wraps the quota store call: every call whose request bucket admitted the request is counted
 * for that bucket's tenant at that bucket's rate. Refusals, store errors and calls without a
 * request bucket (a policy with no requestsPerSecond) are not counted. The result is unchanged.
 */
export function measureTake(take: TakeBuckets, usage: QuotaUsage, now: () => number = Date.now): TakeBuckets {
  return async (requests: BucketSpec | undefined, time: BucketSpec | undefined): Promise<BucketResult> => {
    const r = await take(requests, time);
    if (r.allowed && requests) {
      const tenant = tenantOfRequestKey(requests.key);
      if (tenant !== undefined) usage.record(tenant, requests.rate, now());
    }
    return r;
  };
}

/** Fair-share wait, seconds: a request that got a slot at once (0) lands in the first bucket. */
export const FAIR_WAIT_BUCKETS_S = [0.0001, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Registers switchyard_gateway_fair_share_wait (seconds; tenant, model, cpu_priority) and returns
 * the hook that feeds it (OipDeps.onFairShare): per tenant, how long its requests waited for a
 * fair-share slot, and, as the count with cpu_priority="background", how many were forwarded at
 * the executors' background priority because the tenant asked for more than its share while
 * another tenant was active (docs/policy.md). Pre-aggregated (libs/otel): recorded once per
 * request, after its response.
 */
export function fairShareMetrics(histograms: PreAggregatedMetrics): (tenant: string, model: string, waitMs: number, background: boolean) => void {
  const wait = histograms.histogram('switchyard.gateway.fair_share.wait', {
    description: "Each request's wait at the gateway for a fair-share slot of its model, by tenant, model and the CPU priority it was forwarded at",
    unit: 's',
    boundaries: FAIR_WAIT_BUCKETS_S,
  });
  const series = new Map<string, HistogramSeries>();
  return (tenant, model, waitMs, background) => {
    const key = `${tenant}\u0000${model}\u0000${background ? 1 : 0}`;
    let s = series.get(key);
    if (!s) {
      s = wait.series({ tenant, model, cpu_priority: background ? 'background' : 'normal' });
      series.set(key, s);
    }
    s.record(Math.max(0, waitMs) / 1000);
  };
}

export interface GatewayMetrics {
  /** Hook for Ejections.onEject: counts switchyard_gateway_ejections_total{executor,reason}. */
  ejected: EjectHook;
}

/** Registers switchyard_gateway_ejections_total and switchyard_quota_used_ratio on `meter`. */
export function registerGatewayMetrics(meter: Meter, o: { quota: QuotaUsage; now?: () => number; quotaStore?: { up: () => boolean; failMode: string } }): GatewayMetrics {
  const now = o.now ?? Date.now;
  const ejections = meter.createCounter('switchyard_gateway_ejections', {
    description: "Executors this gateway ejected locally (avoided for ejectMs after an 'executor lost' failure), by executor and reason",
  });
  meter.createObservableGauge('switchyard_quota_used_ratio', {
    description: `Share 0..1 of the tenant's request quota (requests/s) admitted by this gateway over the last ${o.quota.windowMs / 1000} s`,
  }).addCallback((r) => {
    for (const { tenant, ratio } of o.quota.ratios(now())) r.observe(ratio, { tenant });
  });
  const store = o.quotaStore;
  if (store) {
    meter.createObservableGauge('switchyard_gateway_quota_store_up', {
      description: "1 while the quota store (Redis) answers this gateway's lease calls, 0 while they fail or time out; fail_mode says what requests needing a lease get meanwhile (open: admitted, closed: UNAVAILABLE)",
    }).addCallback((r) => r.observe(store.up() ? 1 : 0, { fail_mode: store.failMode }));
  }
  return { ejected: (executor, reason) => ejections.add(1, { executor, reason }) };
}

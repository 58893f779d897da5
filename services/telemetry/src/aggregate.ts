// Pure core of the telemetry service: rolling request statistics from gateway outcomes and the
// latest state of every executor from heartbeats. The clock is injected; no I/O.
//
// Time is cut into slots (default 10 s); a window query merges the slots that overlap it, so a
// window is rounded out to slot boundaries (since_ms says where it really starts). Slots older
// than the retention are dropped; "since start" (window 0) reads cumulative totals that are never
// dropped. Latency percentiles come from a log-bucketed histogram (about 5 % relative error),
// clamped to the observed min/max.
import type { Heartbeat__Output, Outcome__Output, Summary__Output } from '@switchyard/proto';

type GroupStats__Output = Summary__Output['by_pool'][number];

export type OutcomeLike = Pick<
  Outcome__Output,
  'model_name' | 'model_version' | 'executor_id' | 'pool' | 'status' | 'latency_ms' | 'finished_at_ms'
>;

export type HeartbeatLike = Pick<
  Heartbeat__Output,
  'executor_id' | 'pool' | 'region' | 'in_flight' | 'queue_depth' | 'utilization' | 'draining'
> & { device?: { cpu_fallback?: boolean; execution_provider?: string } | null };

export interface ExecutorState {
  executor_id: string;
  /** 'gpu' | 'cpu' | 'unspecified' */
  pool: string;
  region: string;
  in_flight: number;
  queue_depth: number;
  utilization: number;
  cpu_fallback: boolean;
  execution_provider: string;
  draining: boolean;
  /** When the last heartbeat arrived (aggregator clock). */
  last_seen_ms: number;
}

export interface AggregatorOptions {
  now?: () => number;
  /** Slot width (default 10 s). */
  slotMs?: number;
  /** How far back windows can reach (default 1 h). */
  retentionMs?: number;
}

/** Group keys used in GetSummary and in metric attributes. */
export function poolKey(pool: string | number | undefined): string {
  switch (pool) {
    case 'POOL_GPU':
    case 1:
      return 'gpu';
    case 'POOL_CPU':
    case 2:
      return 'cpu';
    default:
      return 'unspecified';
  }
}
export function modelKey(o: Pick<OutcomeLike, 'model_name' | 'model_version'>): string {
  const name = o.model_name || 'unknown';
  return o.model_version ? `${name}:${o.model_version}` : name;
}
export function executorKey(o: Pick<OutcomeLike, 'executor_id'>): string {
  return o.executor_id || 'unplaced';
}
export function isError(o: Pick<OutcomeLike, 'status'>): boolean {
  return o.status !== 'OK';
}

// ---- latency histogram ----------------------------------------------------------------------

const MIN_MS = 0.01;
const GROWTH = 1.1;
const LOG_GROWTH = Math.log(GROWTH);

/** Sparse log-bucketed histogram of latencies in milliseconds. */
export class LatencyHistogram {
  /** bucket index -> count; bucket i holds (MIN_MS*GROWTH^(i-1), MIN_MS*GROWTH^i], bucket 0 holds [0, MIN_MS]. */
  readonly buckets = new Map<number, number>();
  count = 0;
  min = Infinity;
  max = -Infinity;

  static bucketOf(ms: number): number {
    return ms <= MIN_MS ? 0 : Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH);
  }
  static upperBound(i: number): number {
    return MIN_MS * GROWTH ** i;
  }

  add(ms: number): void {
    if (!Number.isFinite(ms)) return;
    const v = Math.max(0, ms);
    const i = LatencyHistogram.bucketOf(v);
    this.buckets.set(i, (this.buckets.get(i) ?? 0) + 1);
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  merge(o: LatencyHistogram): void {
    for (const [i, c] of o.buckets) this.buckets.set(i, (this.buckets.get(i) ?? 0) + c);
    this.count += o.count;
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
  }

  /** The q-quantile (0..1) in ms, 0 when empty. Linear interpolation inside the bucket. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.min(Math.max(q, 0), 1) * this.count;
    const idx = [...this.buckets.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const i of idx) {
      const c = this.buckets.get(i) ?? 0;
      if (seen + c >= rank) {
        const lo = i === 0 ? 0 : LatencyHistogram.upperBound(i - 1);
        const hi = LatencyHistogram.upperBound(i);
        const v = lo + (hi - lo) * (c === 0 ? 1 : (rank - seen) / c);
        return Math.min(Math.max(v, this.min), this.max);
      }
      seen += c;
    }
    return this.max;
  }
}

// ---- grouped stats ----------------------------------------------------------------------------

class Stats {
  requests = 0;
  errors = 0;
  readonly latency = new LatencyHistogram();
  add(err: boolean, ms: number): void {
    this.requests++;
    if (err) this.errors++;
    this.latency.add(ms);
  }
  merge(o: Stats): void {
    this.requests += o.requests;
    this.errors += o.errors;
    this.latency.merge(o.latency);
  }
}

const GROUPINGS = ['pool', 'executor', 'model'] as const;
type Grouping = (typeof GROUPINGS)[number];

class Bucket {
  readonly total = new Stats();
  readonly groups: Record<Grouping, Map<string, Stats>> = { pool: new Map(), executor: new Map(), model: new Map() };

  add(o: OutcomeLike): void {
    const err = isError(o);
    const ms = o.latency_ms;
    this.total.add(err, ms);
    const keys: Record<Grouping, string> = { pool: poolKey(o.pool), executor: executorKey(o), model: modelKey(o) };
    for (const g of GROUPINGS) {
      let s = this.groups[g].get(keys[g]);
      if (!s) this.groups[g].set(keys[g], (s = new Stats()));
      s.add(err, ms);
    }
  }

  merge(o: Bucket): void {
    this.total.merge(o.total);
    for (const g of GROUPINGS) {
      for (const [k, s] of o.groups[g]) {
        let mine = this.groups[g].get(k);
        if (!mine) this.groups[g].set(k, (mine = new Stats()));
        mine.merge(s);
      }
    }
  }
}

function groupStats(m: Map<string, Stats>): GroupStats__Output[] {
  return [...m]
    .map(([key, s]) => ({ key, requests: s.requests, errors: s.errors, p50_ms: s.latency.quantile(0.5), p99_ms: s.latency.quantile(0.99) }))
    .sort((a, b) => b.requests - a.requests || a.key.localeCompare(b.key));
}

export class WindowError extends RangeError {
  override name = 'WindowError';
}

export class Aggregator {
  readonly slotMs: number;
  readonly retentionMs: number;
  readonly startedAtMs: number;
  private readonly now: () => number;
  private readonly slots = new Map<number, Bucket>();
  private readonly cumulative = new Bucket();
  private readonly executors = new Map<string, ExecutorState>();
  /** executor ids ever seen (heartbeats), for window 0. */
  private readonly everSeen = new Set<string>();
  private prunedAtSlot = -Infinity;

  constructor(opts: AggregatorOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.slotMs = opts.slotMs ?? 10_000;
    this.retentionMs = opts.retentionMs ?? 3_600_000;
    if (!(this.slotMs > 0) || !(this.retentionMs >= this.slotMs)) throw new RangeError('need slotMs > 0 and retentionMs >= slotMs');
    this.startedAtMs = this.now();
  }

  /** Largest window GetSummary answers, in seconds. */
  get maxWindowSeconds(): number {
    return Math.floor(this.retentionMs / 1000);
  }

  recordOutcome(o: OutcomeLike): void {
    const now = this.now();
    this.cumulative.add(o);
    // Place by when the request finished (bounded by now); arrivals older than the retention
    // only count since start.
    const ts = o.finished_at_ms > 0 ? Math.min(o.finished_at_ms, now) : now;
    if (ts < now - this.retentionMs) return;
    const idx = Math.floor(ts / this.slotMs);
    let b = this.slots.get(idx);
    if (!b) this.slots.set(idx, (b = new Bucket()));
    b.add(o);
    this.prune(now);
  }

  recordHeartbeat(h: HeartbeatLike): void {
    if (!h.executor_id) return;
    const now = this.now();
    this.everSeen.add(h.executor_id);
    this.executors.set(h.executor_id, {
      executor_id: h.executor_id,
      pool: poolKey(h.pool),
      region: h.region,
      in_flight: h.in_flight,
      queue_depth: h.queue_depth,
      utilization: h.utilization,
      cpu_fallback: Boolean(h.device?.cpu_fallback),
      execution_provider: h.device?.execution_provider ?? '',
      draining: h.draining,
      last_seen_ms: now,
    });
    this.prune(now);
  }

  /** Executors whose last heartbeat is at most staleMs old (for gauges and placement views). */
  liveExecutors(staleMs = 30_000): ExecutorState[] {
    const cutoff = this.now() - staleMs;
    return [...this.executors.values()].filter((e) => e.last_seen_ms >= cutoff);
  }

  /** Summary over the last windowSeconds (0: since start). Throws WindowError beyond retention. */
  summary(windowSeconds: number): Summary__Output {
    if (!Number.isInteger(windowSeconds) || windowSeconds < 0) throw new WindowError(`window_seconds must be a non-negative integer, got ${windowSeconds}`);
    if (windowSeconds > this.maxWindowSeconds) {
      throw new WindowError(`window_seconds ${windowSeconds} exceeds the retention of ${this.maxWindowSeconds} s (0 means since start)`);
    }
    const now = this.now();
    this.prune(now, true);
    let b: Bucket;
    let since: number;
    let executorsSeen: number;
    if (windowSeconds === 0) {
      b = this.cumulative;
      since = this.startedAtMs;
      executorsSeen = this.everSeen.size;
    } else {
      const from = now - windowSeconds * 1000;
      const firstIdx = Math.floor(from / this.slotMs);
      b = new Bucket();
      for (const [idx, s] of this.slots) if (idx >= firstIdx) b.merge(s);
      since = Math.max(firstIdx * this.slotMs, this.startedAtMs);
      executorsSeen = [...this.executors.values()].filter((e) => e.last_seen_ms >= from).length;
    }
    return {
      requests: b.total.requests,
      errors: b.total.errors,
      p50_ms: b.total.latency.quantile(0.5),
      p99_ms: b.total.latency.quantile(0.99),
      by_pool: groupStats(b.groups.pool),
      by_executor: groupStats(b.groups.executor),
      by_model: groupStats(b.groups.model),
      executors_seen: executorsSeen,
      since_ms: since,
    };
  }

  private prune(now: number, force = false): void {
    const slot = Math.floor(now / this.slotMs);
    if (!force && slot === this.prunedAtSlot) return;
    this.prunedAtSlot = slot;
    const oldest = Math.floor((now - this.retentionMs) / this.slotMs);
    for (const idx of this.slots.keys()) if (idx < oldest) this.slots.delete(idx);
    for (const [id, e] of this.executors) if (e.last_seen_ms < now - this.retentionMs) this.executors.delete(id);
  }
}

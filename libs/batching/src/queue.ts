/**
 * Pure dynamic-batching core. No timers, no clock: every decision takes `nowMs` from the caller.
 * See ../README.md for the rules (buckets, priorities, delays, preferred sizes, deadlines).
 */

export interface BatcherConfig {
  /** Most rows (sum of `Pending.rows`) one batch may hold. Integer >= 1. */
  maxBatchSize: number;
  /** How long the oldest request of a bucket may wait for company before its bucket launches. >= 0. */
  maxQueueDelayMs: number;
  /** Batch sizes (rows) to aim for; each an integer in [1, maxBatchSize]. */
  preferredBatchSizes?: number[];
  /** Most queued requests (not rows) over all buckets and priorities. Integer >= 1 or Infinity. */
  maxQueueSize: number;
  /** Number of priority levels; default 1. Level 0 is the highest. */
  priorityLevels?: number;
  /** Most batches running at once; default 1. */
  maxConcurrentBatches?: number;
  /**
   * Optional service-time estimate for a batch of `rows` rows (ms), assumed non-decreasing in rows.
   * With it, a request is expired as soon as `now + estimatedServiceMs(rows) >= deadlineMs` (it could
   * not finish in time even alone), and a batch is only grown while every member can still finish
   * before its deadline: `now + estimatedServiceMs(batchRows) < min(member deadlines)`.
   * Without it the estimate is 0: a request expires when `now >= deadlineMs`.
   */
  estimatedServiceMs?: (rows: number) => number;
}

export interface Pending<T> {
  id: number;
  item: T;
  /** Shape bucket: requests with different keys are never put in the same batch. */
  key: string;
  /** Batch-dimension size of this request, usually 1. */
  rows: number;
  priority: number;
  enqueuedAtMs: number;
  /** Absolute deadline on the caller's clock. */
  deadlineMs?: number;
}

export type EnqueueResult =
  | { ok: true; id: number }
  | { ok: false; code: 'RESOURCE_EXHAUSTED' | 'INVALID_ARGUMENT'; message: string };

export interface PollResult<T> {
  /** Requests whose deadline has passed (or cannot be met): answer them DEADLINE_EXCEEDED. */
  expired: Pending<T>[];
  /** A batch to run now (one key, <= maxBatchSize rows), in priority then FIFO order. */
  batch?: Pending<T>[];
}

export interface PollOptions {
  /** Treat every bucket as ready (queue delay ignored): used when draining. */
  flush?: boolean;
}

interface Bucket<T> {
  key: string;
  /** One FIFO per priority level. */
  levels: Pending<T>[][];
  rows: number;
  count: number;
}

interface HeapEntry {
  at: number;
  id: number;
}

/** Binary min-heap on `at` (ties by id). Lazy deletion: entries of gone requests are skipped. */
class MinHeap {
  private readonly a: HeapEntry[] = [];
  get length(): number {
    return this.a.length;
  }
  peek(): HeapEntry | undefined {
    return this.a[0];
  }
  push(e: HeapEntry): void {
    const a = this.a;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): HeapEntry | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l]!, a[m]!)) m = l;
        if (r < a.length && less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

function less(x: HeapEntry, y: HeapEntry): boolean {
  return x.at < y.at || (x.at === y.at && x.id < y.id);
}

function isPosInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1;
}

/** Validates a config; throws RangeError naming the bad setting. */
export function validateConfig(cfg: BatcherConfig): void {
  if (!isPosInt(cfg.maxBatchSize)) throw new RangeError(`maxBatchSize must be an integer >= 1, got ${cfg.maxBatchSize}`);
  if (typeof cfg.maxQueueDelayMs !== 'number' || !Number.isFinite(cfg.maxQueueDelayMs) || cfg.maxQueueDelayMs < 0) {
    throw new RangeError(`maxQueueDelayMs must be a finite number >= 0, got ${cfg.maxQueueDelayMs}`);
  }
  if (!(isPosInt(cfg.maxQueueSize) || cfg.maxQueueSize === Infinity)) {
    throw new RangeError(`maxQueueSize must be an integer >= 1 or Infinity, got ${cfg.maxQueueSize}`);
  }
  if (cfg.priorityLevels !== undefined && !isPosInt(cfg.priorityLevels)) {
    throw new RangeError(`priorityLevels must be an integer >= 1, got ${cfg.priorityLevels}`);
  }
  if (cfg.maxConcurrentBatches !== undefined && !isPosInt(cfg.maxConcurrentBatches)) {
    throw new RangeError(`maxConcurrentBatches must be an integer >= 1, got ${cfg.maxConcurrentBatches}`);
  }
  for (const p of cfg.preferredBatchSizes ?? []) {
    if (!isPosInt(p) || p > cfg.maxBatchSize) {
      throw new RangeError(`preferredBatchSizes entries must be integers in [1, maxBatchSize=${cfg.maxBatchSize}], got ${p}`);
    }
  }
  if (cfg.estimatedServiceMs !== undefined && typeof cfg.estimatedServiceMs !== 'function') {
    throw new RangeError('estimatedServiceMs must be a function (rows) => ms');
  }
}

export class BatchQueue<T> {
  private readonly maxBatchSize: number;
  private readonly maxQueueDelayMs: number;
  private readonly maxQueueSize: number;
  private readonly priorityLevels: number;
  private readonly maxConcurrent: number;
  /** preferred sizes plus maxBatchSize: sizes a batch may be cut at on purpose. */
  private readonly goodSizes: Set<number>;
  /** Queued rows at which a bucket launches without waiting for the delay. */
  private readonly launchThreshold: number;
  private readonly estimate: ((rows: number) => number) | undefined;

  private readonly buckets = new Map<string, Bucket<T>>();
  private readonly byId = new Map<number, Pending<T>>();
  private readonly expiries = new MinHeap();
  private nextId = 1;

  constructor(cfg: BatcherConfig) {
    validateConfig(cfg);
    this.maxBatchSize = cfg.maxBatchSize;
    this.maxQueueDelayMs = cfg.maxQueueDelayMs;
    this.maxQueueSize = cfg.maxQueueSize;
    this.priorityLevels = cfg.priorityLevels ?? 1;
    this.maxConcurrent = cfg.maxConcurrentBatches ?? 1;
    const preferred = cfg.preferredBatchSizes ?? [];
    this.goodSizes = new Set([...preferred, cfg.maxBatchSize]);
    this.launchThreshold = preferred.length > 0 ? Math.max(...preferred) : cfg.maxBatchSize;
    this.estimate = cfg.estimatedServiceMs;
  }

  /** Number of queued requests. */
  get size(): number {
    return this.byId.size;
  }

  /** Queued requests per priority level (index = level). */
  sizeByPriority(): number[] {
    const out = new Array<number>(this.priorityLevels).fill(0);
    for (const b of this.buckets.values()) {
      b.levels.forEach((l, i) => (out[i] = out[i]! + l.length));
    }
    return out;
  }

  /** Queued rows for one bucket key (0 if none). */
  queuedRows(key: string): number {
    return this.buckets.get(key)?.rows ?? 0;
  }

  enqueue(req: Omit<Pending<T>, 'id'>): EnqueueResult {
    const bad = (message: string): EnqueueResult => ({ ok: false, code: 'INVALID_ARGUMENT', message });
    if (typeof req.key !== 'string') return bad('key must be a string');
    if (!isPosInt(req.rows)) return bad(`rows must be an integer >= 1, got ${req.rows}`);
    if (req.rows > this.maxBatchSize) {
      return bad(`request has ${req.rows} rows, more than maxBatchSize ${this.maxBatchSize}`);
    }
    if (!Number.isInteger(req.priority) || req.priority < 0 || req.priority >= this.priorityLevels) {
      return bad(`priority must be an integer in [0, ${this.priorityLevels - 1}], got ${req.priority}`);
    }
    if (typeof req.enqueuedAtMs !== 'number' || !Number.isFinite(req.enqueuedAtMs)) {
      return bad(`enqueuedAtMs must be a finite number, got ${req.enqueuedAtMs}`);
    }
    if (req.deadlineMs !== undefined && (typeof req.deadlineMs !== 'number' || Number.isNaN(req.deadlineMs))) {
      return bad(`deadlineMs must be a number, got ${req.deadlineMs}`);
    }
    if (this.byId.size >= this.maxQueueSize) {
      return {
        ok: false,
        code: 'RESOURCE_EXHAUSTED',
        message: `batch queue full (${this.byId.size}/${this.maxQueueSize} requests queued)`,
      };
    }
    const id = this.nextId++;
    const p: Pending<T> = { ...req, id };
    let b = this.buckets.get(p.key);
    if (!b) {
      b = { key: p.key, levels: Array.from({ length: this.priorityLevels }, () => []), rows: 0, count: 0 };
      this.buckets.set(p.key, b);
    }
    b.levels[p.priority]!.push(p);
    b.rows += p.rows;
    b.count++;
    this.byId.set(id, p);
    if (p.deadlineMs !== undefined && p.deadlineMs !== Infinity) {
      this.expiries.push({ at: this.expiresAt(p), id });
    }
    return { ok: true, id };
  }

  cancel(id: number): boolean {
    const p = this.byId.get(id);
    if (!p) return false;
    this.remove(p);
    return true;
  }

  /**
   * Decide at `nowMs`: drop expired requests, then pick at most one batch to launch (when
   * `runningBatches < maxConcurrentBatches`). Call again after launching to fill further slots.
   */
  poll(nowMs: number, runningBatches: number, opts: PollOptions = {}): PollResult<T> {
    const expired = this.takeExpired(nowMs);
    if (runningBatches >= this.maxConcurrent || this.byId.size === 0) return { expired };
    const ready = this.readyBuckets(nowMs, opts.flush === true);
    const b = ready[0];
    if (!b) return { expired };
    const batch = this.form(b, nowMs);
    for (const p of batch) this.remove(p);
    return { expired, batch };
  }

  /**
   * The latest time the caller must poll again (>= nowMs): the earliest queue-delay expiry of a
   * bucket or the earliest deadline expiry. Returns nowMs if a bucket is ready already, undefined
   * if nothing will change by time alone (empty queue). Pass `runningBatches` to ignore queue-delay
   * wakes while every batch slot is busy (only deadlines matter then).
   */
  nextWakeMs(nowMs: number, runningBatches?: number): number | undefined {
    let wake = Infinity;
    const top = this.peekExpiry();
    if (top) wake = top.at;
    if (runningBatches === undefined || runningBatches < this.maxConcurrent) {
      for (const b of this.buckets.values()) {
        wake = Math.min(wake, b.rows >= this.launchThreshold ? nowMs : oldest(b) + this.maxQueueDelayMs);
      }
    }
    return wake === Infinity ? undefined : Math.max(wake, nowMs);
  }

  // ---- internals ----

  private expiresAt(p: Pending<T>): number {
    const est = this.estimate ? this.estimate(p.rows) : 0;
    return p.deadlineMs! - (Number.isFinite(est) && est > 0 ? est : 0);
  }

  private peekExpiry(): HeapEntry | undefined {
    for (;;) {
      const top = this.expiries.peek();
      if (!top) return undefined;
      if (this.byId.has(top.id)) return top;
      this.expiries.pop();
    }
  }

  private takeExpired(nowMs: number): Pending<T>[] {
    const out: Pending<T>[] = [];
    for (;;) {
      const top = this.peekExpiry();
      if (!top || top.at > nowMs) break;
      this.expiries.pop();
      const p = this.byId.get(top.id)!;
      this.remove(p);
      out.push(p);
    }
    return out;
  }

  private remove(p: Pending<T>): void {
    this.byId.delete(p.id);
    const b = this.buckets.get(p.key)!;
    const level = b.levels[p.priority]!;
    const i = level[0] === p ? 0 : level.indexOf(p);
    level.splice(i, 1);
    b.rows -= p.rows;
    b.count--;
    if (b.count === 0) this.buckets.delete(p.key);
  }

  /** Ready buckets, best first: by their best request (highest priority, then earliest enqueued). */
  private readyBuckets(nowMs: number, flush: boolean): Bucket<T>[] {
    const ready: { b: Bucket<T>; prio: number; id: number }[] = [];
    for (const b of this.buckets.values()) {
      const isReady = flush || b.rows >= this.launchThreshold || nowMs - oldest(b) >= this.maxQueueDelayMs;
      if (!isReady) continue;
      const prio = b.levels.findIndex((l) => l.length > 0);
      ready.push({ b, prio, id: b.levels[prio]![0]!.id });
    }
    ready.sort((x, y) => x.prio - y.prio || x.id - y.id);
    return ready.map((r) => r.b);
  }

  /**
   * Greedy FIFO fill in priority order, stopping at the first request that does not fit (rows, or
   * with an estimator, a deadline of the batch so far). Then cut the batch at the largest prefix
   * whose rows are a preferred size or maxBatchSize; if none, keep the whole prefix.
   */
  private form(b: Bucket<T>, nowMs: number): Pending<T>[] {
    const taken: Pending<T>[] = [];
    const sums: number[] = [];
    let rows = 0;
    let minDeadline = Infinity;
    outer: for (const level of b.levels) {
      for (const p of level) {
        const r = rows + p.rows;
        if (r > this.maxBatchSize) break outer;
        const dl = Math.min(minDeadline, p.deadlineMs ?? Infinity);
        if (this.estimate && taken.length > 0 && dl !== Infinity && !(nowMs + this.estimate(r) < dl)) break outer;
        taken.push(p);
        rows = r;
        minDeadline = dl;
        sums.push(rows);
      }
    }
    for (let i = sums.length - 1; i >= 0; i--) {
      if (this.goodSizes.has(sums[i]!)) return taken.slice(0, i + 1);
    }
    return taken;
  }
}

function oldest<T>(b: Bucket<T>): number {
  let t = Infinity;
  for (const l of b.levels) if (l.length > 0) t = Math.min(t, l[0]!.enqueuedAtMs);
  return t;
}

/**
 * Thin async driver: wires the pure BatchQueue to a clock and one timer. The timer is always armed
 * for the next deadline expiry, even while batches run, so a request whose deadline passes in the
 * queue is rejected DEADLINE_EXCEEDED at its deadline, not when the running batch finishes.
 */
import { BatchQueue } from './queue.ts';
import type { BatcherConfig, Pending } from './queue.ts';

export type BatchErrorCode =
  | 'DEADLINE_EXCEEDED'
  | 'RESOURCE_EXHAUSTED'
  | 'INVALID_ARGUMENT'
  | 'UNAVAILABLE'
  | 'INTERNAL'
  | 'CANCELLED';

export class BatchError extends Error {
  readonly code: BatchErrorCode;
  constructor(code: BatchErrorCode, message: string) {
    super(message);
    this.name = 'BatchError';
    this.code = code;
  }
}

export interface BatcherDeps<T, R> {
  /** Run one batch: one result per item, same order. */
  runBatch(items: T[]): Promise<R[]>;
  /** Clock in ms; default performance.now. Deadlines passed to submit are on this clock. */
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (h: unknown) => void;
}

export interface SubmitOptions {
  /** Shape bucket (see shapeKey). */
  key: string;
  /** Batch-dim size of this request; default 1. */
  rows?: number;
  /** 0 = highest; default 0. */
  priority?: number;
  /** Absolute deadline on the same clock as deps.now(). */
  deadlineMs?: number;
  /** Abort while still queued -> removed from the queue, rejected CANCELLED. No effect once its batch runs. */
  signal?: AbortSignal;
}

export interface BatcherStats {
  queued: number;
  running: number;
  /** Batches launched so far. */
  batchesRun: number;
  /** Batch size in rows -> number of batches launched with that size. */
  histogram: Map<number, number>;
}

interface Waiter<R> {
  resolve(r: R): void;
  reject(e: BatchError): void;
}

export class DynamicBatcher<T, R> {
  private readonly queue: BatchQueue<T>;
  private readonly runBatch: (items: T[]) => Promise<R[]>;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (h: unknown) => void;

  private readonly waiters = new Map<number, Waiter<R>>();
  private running = 0;
  private batchesRun = 0;
  private readonly histogram = new Map<number, number>();
  private timer: unknown = undefined;
  private timerAt: number | undefined = undefined;
  private draining = false;
  private drained: Promise<void> | undefined;
  private onIdle: (() => void) | undefined;
  private pumping = false;
  private pumpAgain = false;

  constructor(cfg: BatcherConfig, deps: BatcherDeps<T, R>) {
    this.queue = new BatchQueue<T>(cfg);
    this.runBatch = deps.runBatch;
    this.now = deps.now ?? (() => performance.now());
    this.setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = deps.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  submit(item: T, opts: SubmitOptions): Promise<R> {
    if (opts.signal?.aborted) return Promise.reject(new BatchError('CANCELLED', 'request cancelled before it was queued'));
    if (this.draining) {
      return Promise.reject(new BatchError('UNAVAILABLE', 'batcher is draining: not accepting new requests'));
    }
    const res = this.queue.enqueue({
      item,
      key: opts.key,
      rows: opts.rows ?? 1,
      priority: opts.priority ?? 0,
      enqueuedAtMs: this.now(),
      ...(opts.deadlineMs !== undefined ? { deadlineMs: opts.deadlineMs } : {}),
    });
    if (!res.ok) return Promise.reject(new BatchError(res.code, res.message));
    const id = res.id;
    const p = new Promise<R>((resolve, reject) => this.waiters.set(id, { resolve, reject }));
    const signal = opts.signal;
    if (signal) {
      const onAbort = (): void => {
        if (this.queue.cancel(id)) {
          this.settle(id, undefined, new BatchError('CANCELLED', 'request cancelled while queued'));
          this.pump();
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const off = (): void => signal.removeEventListener('abort', onAbort);
      p.then(off, off);
    }
    this.pump();
    return p;
  }

  stats(): BatcherStats {
    return {
      queued: this.queue.size,
      running: this.running,
      batchesRun: this.batchesRun,
      histogram: new Map(this.histogram),
    };
  }

  /** Stop accepting (new submits reject UNAVAILABLE), run out what is queued without waiting for the queue delay, resolve when idle. */
  drain(): Promise<void> {
    if (this.drained) return this.drained;
    this.draining = true;
    this.drained = new Promise<void>((resolve) => (this.onIdle = resolve));
    this.pump();
    return this.drained;
  }

  /** Poll the core until it has nothing more to do now, then arm the timer for the next wake. */
  private pump(): void {
    if (this.pumping) {
      // Re-entered (e.g. runBatch submitted synchronously): let the outer loop go round once more.
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        for (;;) {
          const { expired, batch } = this.queue.poll(this.now(), this.running, { flush: this.draining });
          for (const p of expired) {
            const late = p.deadlineMs !== undefined ? Math.max(0, this.now() - p.deadlineMs) : 0;
            this.settle(p.id, undefined, new BatchError('DEADLINE_EXCEEDED', `deadline exceeded while queued (${late.toFixed(1)} ms past deadline when answered)`));
          }
          if (!batch) break;
          this.launch(batch);
        }
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
    this.arm();
    if (this.draining && this.running === 0 && this.queue.size === 0 && this.onIdle) {
      const f = this.onIdle;
      this.onIdle = undefined;
      f();
    }
  }

  private arm(): void {
    const now = this.now();
    const wake = this.queue.nextWakeMs(now, this.running);
    if (wake === this.timerAt && this.timer !== undefined) return;
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
    this.timerAt = wake;
    if (wake === undefined) return;
    this.timer = this.setTimer(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      this.pump();
    }, Math.max(0, Math.ceil(wake - now)));
  }

  private launch(batch: Pending<T>[]): void {
    this.running++;
    this.batchesRun++;
    const rows = batch.reduce((s, p) => s + p.rows, 0);
    this.histogram.set(rows, (this.histogram.get(rows) ?? 0) + 1);
    let out: Promise<R[]>;
    try {
      out = Promise.resolve(this.runBatch(batch.map((p) => p.item)));
    } catch (e) {
      out = Promise.reject(e);
    }
    out.then(
      (results) => {
        if (!Array.isArray(results) || results.length !== batch.length) {
          const got = Array.isArray(results) ? `${results.length} results` : `a ${typeof results}`;
          this.failAll(batch, `runBatch returned ${got} for a batch of ${batch.length} requests`);
        } else {
          batch.forEach((p, i) => this.settle(p.id, results[i] as R));
        }
      },
      (e: unknown) => this.failAll(batch, `runBatch failed: ${e instanceof Error ? e.message : String(e)}`),
    ).finally(() => {
      this.running--;
      this.pump();
    });
  }

  private failAll(batch: Pending<T>[], message: string): void {
    for (const p of batch) this.settle(p.id, undefined, new BatchError('INTERNAL', message));
  }

  private settle(id: number, value: R | undefined, err?: BatchError): void {
    // (a waiter is settled exactly once: expiry, cancel and batch results remove it first)
    const w = this.waiters.get(id);
    if (!w) return;
    this.waiters.delete(id);
    if (err) w.reject(err);
    else w.resolve(value as R);
  }
}

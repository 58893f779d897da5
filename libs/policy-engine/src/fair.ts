// Weighted fair sharing of a model's concurrency slots among tenants.
//
// Each key (a model) has a capacity C of concurrent requests. A tenant is *active* on a key while
// it holds or waits for a slot, or sent a request there within the last `activeWindowMs`. Among
// the active tenants, tenant t is entitled to e_t = C * w_t / sum(w_active) slots (its fair share).
// - Within its share a request takes a free slot at once.
// - Beyond its share a tenant borrows idle slots (work-conserving, like Kueue's borrowing), but
//   leaves one slot free for each other active tenant that is below its share and entitled to at
//   least one whole slot: the next request of a quiet tenant then starts at once instead of
//   waiting behind a heavy tenant's borrowed slots.
// - Waiting requests are dispatched by start-time fair queueing: the eligible waiter with the
//   smallest virtual finish tag (finish = max(V, tenant's last finish) + 1/weight) goes first.
// - A tenant is *backlogged* on a key while another tenant is active there and it asks for more
//   than its share: the slots it holds and the requests it has waiting exceed its share. The gateway
//   runs such a tenant's requests at the executors' background CPU priority (Ticket.backlogged),
//   so on CPUs shared by several executors its work yields to the other tenants'.
// Bookkeeping only: the clock is passed in; no timers (the caller cancels a waiter whose deadline
// passed by calling release()).

export class QueueFullError extends Error {
  override name = 'QueueFullError';
}

interface Waiter {
  tenant: string;
  start: number;
  finish: number;
  seq: number;
  grant: () => void;
}

interface TenantState { weight: number; held: number; queued: number; lastSeenMs: number; lastFinish: number }

interface Pool {
  capacity: number;
  inFlight: number;
  /** Virtual time: the start tag of the most recently dispatched request. */
  vtime: number;
  tenants: Map<string, TenantState>;
  queue: Waiter[];
}

export interface Ticket {
  /** Undefined when the request entered at once; else resolves when it gets a slot. */
  ready: Promise<void> | undefined;
  /** Give the slot back (or leave the queue). Idempotent. */
  release(): void;
  /** Whether the ticket's tenant is backlogged on the key now (see the top of this file). */
  backlogged(): boolean;
}

export interface FairShareStats { inFlight: number; queued: number; queuedByTenant: Record<string, number>; heldByTenant: Record<string, number> }

export interface FairShareOptions {
  /** Waiting requests per key at most (default 10,000). */
  maxQueue?: number;
  /** How long a tenant stays active after its last request (default 1000 ms). */
  activeWindowMs?: number;
  /** Clock, ms (default Date.now). */
  now?: () => number;
}

export class FairShare {
  private readonly pools = new Map<string, Pool>();
  private seq = 0;
  private readonly maxQueue: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(opts: FairShareOptions = {}) {
    this.maxQueue = opts.maxQueue ?? 10_000;
    this.windowMs = opts.activeWindowMs ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  private pool(key: string, capacity: number): Pool {
    let p = this.pools.get(key);
    if (!p) {
      p = { capacity, inFlight: 0, vtime: 0, tenants: new Map(), queue: [] };
      this.pools.set(key, p);
    }
    p.capacity = capacity;
    return p;
  }

  private isActive(s: TenantState, now: number): boolean {
    return s.held > 0 || s.queued > 0 || now - s.lastSeenMs <= this.windowMs;
  }

  /** The active tenants of `p`: their summed weight and how many. */
  private active(p: Pool, now: number): { wsum: number; count: number } {
    let wsum = 0, count = 0;
    for (const s of p.tenants.values()) if (this.isActive(s, now)) { wsum += s.weight; count++; }
    return { wsum, count };
  }

  /** May `tenant` take a slot of `p` now? */
  private eligible(p: Pool, tenant: string, now: number): boolean {
    if (p.capacity <= 0) return true;
    const free = p.capacity - p.inFlight;
    if (free <= 0) return false;
    const { wsum } = this.active(p, now);
    const me = p.tenants.get(tenant)!;
    if (wsum <= 0) return true;
    const share = (p.capacity * me.weight) / wsum;
    if (me.held < share) return true;
    // Borrowing: keep one slot for each other active tenant below a share of at least one slot.
    let headroom = 0;
    for (const [t, s] of p.tenants) {
      if (t === tenant || !this.isActive(s, now)) continue;
      const e = (p.capacity * s.weight) / wsum;
      if (e >= 1 && s.held < e) headroom++;
    }
    return free > headroom;
  }

  /** Is `tenant` asking for more than its share of `p` while another tenant is active there? */
  private isBacklogged(p: Pool, tenant: string, now: number): boolean {
    const me = p.tenants.get(tenant);
    if (!me || p.capacity <= 0 || !this.isActive(me, now)) return false;
    const { wsum, count } = this.active(p, now);
    return count > 1 && me.held + me.queued > (p.capacity * me.weight) / wsum;
  }

  /**
   * Ask for a slot of `key` for `tenant` (weight > 0). capacity <= 0 means unlimited.
   * Throws QueueFullError when the key's queue is full.
   */
  enter(key: string, tenant: string, weight: number, capacity: number): Ticket {
    const now = this.now();
    const p = this.pool(key, capacity);
    let s = p.tenants.get(tenant);
    if (!s) {
      s = { weight: 1, held: 0, queued: 0, lastSeenMs: now, lastFinish: 0 };
      p.tenants.set(tenant, s);
    }
    s.weight = weight > 0 ? weight : 1;
    s.lastSeenMs = now;
    const start = Math.max(p.vtime, s.lastFinish);
    const finish = start + 1 / s.weight;
    const st = s;
    if (p.queue.length >= this.maxQueue) throw new QueueFullError(`fair-share queue for '${key}' is full (${this.maxQueue} waiting)`);
    s.lastFinish = finish;
    let state: 'waiting' | 'running' | 'over' = 'waiting';
    let resolve: (() => void) | undefined;
    const waiter: Waiter = { tenant, start, finish, seq: this.seq++, grant: () => { state = 'running'; resolve?.(); } };
    p.queue.push(waiter);
    s.queued++;
    // Entered at once when a slot is free for it and no earlier-tagged eligible request waits.
    this.dispatch(p);
    const ready = (state as string) === 'running' ? undefined : new Promise<void>((r) => (resolve = r));
    return {
      ready,
      release: () => {
        if (state === 'over') return;
        if (state === 'waiting') {
          const i = p.queue.indexOf(waiter);
          if (i >= 0) p.queue.splice(i, 1);
          st.queued--;
          state = 'over';
          this.dispatch(p);
          return;
        }
        state = 'over';
        this.leave(p, st);
      },
      backlogged: () => this.isBacklogged(p, tenant, this.now()),
    };
  }

  private leave(p: Pool, s: TenantState): void {
    p.inFlight--;
    s.held--;
    this.dispatch(p);
  }

  private dispatch(p: Pool): void {
    const now = this.now();
    while (p.queue.length > 0 && (p.capacity <= 0 || p.inFlight < p.capacity)) {
      let best = -1;
      for (let i = 0; i < p.queue.length; i++) {
        const a = p.queue[i]!;
        if (best >= 0) {
          const b = p.queue[best]!;
          if (!(a.finish < b.finish || (a.finish === b.finish && a.seq < b.seq))) continue;
        }
        if (this.eligible(p, a.tenant, now)) best = i;
      }
      if (best < 0) break;
      const w = p.queue.splice(best, 1)[0]!;
      const s = p.tenants.get(w.tenant)!;
      s.queued--;
      s.held++;
      p.inFlight++;
      p.vtime = Math.max(p.vtime, w.start);
      w.grant();
    }
    // Forget idle tenants: bounded memory.
    if (p.tenants.size > 1000) for (const [t, s] of p.tenants) if (!this.isActive(s, now) && s.lastFinish <= p.vtime) p.tenants.delete(t);
  }

  stats(key: string): FairShareStats {
    const p = this.pools.get(key);
    const queuedByTenant: Record<string, number> = {};
    const heldByTenant: Record<string, number> = {};
    for (const [t, s] of p?.tenants ?? []) {
      if (s.queued) queuedByTenant[t] = s.queued;
      if (s.held) heldByTenant[t] = s.held;
    }
    return { inFlight: p?.inFlight ?? 0, queued: p?.queue.length ?? 0, queuedByTenant, heldByTenant };
  }
}

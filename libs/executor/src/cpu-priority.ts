// The executor main thread's CPU priority, following the work in flight.
//
// Background requests (a tenant over its fair share while another is active, marked by the
// gateway) run their batches on the session workers of the background lane (session-pool.ts),
// whose threads sit at a lower priority for good. The main thread does the rest of every
// request's work — TLS, HTTP/2, decoding, batching, encoding — for both lanes, so its priority
// can only follow what is in flight: lowered to the background nice value while every request in
// flight is a background one, back to normal as soon as a foreground request is in flight, or
// after `holdMs` with nothing in flight. (Held between requests: a backlogged tenant's next
// request is received and decoded in the gap, and that is most of the main thread's work.) On a
// machine whose cores the executor shares, an executor busy with a backlogged tenant's load then
// takes CPU time mostly from what nobody else wants; a foreground request arriving at an executor
// that is lowered is received at the lower priority, and runs at normal priority from its decoding on.
//
// Going back to a higher priority needs CAP_SYS_NICE (or an RLIMIT_NICE allowance): without it
// the main thread stays at normal priority (probe() says so, and the service logs it).

export type Lane = 'foreground' | 'background';

export interface PriorityOps {
  /** Sets the calling thread's nice value (os.setPriority(0, n)); throws when refused. */
  set(nice: number): void;
  get(): number;
  /** Runs `fn` after `ms` (an unref'd timer); returns its cancel. */
  schedule(fn: () => void, ms: number): () => void;
}

export class MainThreadPriority {
  private readonly inFlight: Record<Lane, number> = { foreground: 0, background: 0 };
  private readonly base: number;
  private current: number;
  /** Whether the priority can go back up (probed); false: the thread is left alone. */
  readonly enabled: boolean;
  /** Priority changes made (for tests). */
  changes = 0;

  private readonly nice: number;
  private readonly ops: PriorityOps;
  private readonly holdMs: number;
  private idle = false;
  private cancelIdle: (() => void) | undefined;

  constructor(nice: number, ops: PriorityOps, holdMs = 1000) {
    this.nice = nice;
    this.ops = ops;
    this.holdMs = holdMs;
    this.base = ops.get();
    this.current = this.base;
    this.enabled = nice > this.base && MainThreadPriority.probe(ops, this.base);
  }

  /** Can this thread raise its priority again once lowered? Tries base-1 and returns to base. */
  static probe(ops: PriorityOps, base: number): boolean {
    if (base <= -20) return true;
    try {
      ops.set(base - 1);
    } catch {
      return false;
    }
    try {
      ops.set(base);
    } catch {
      return false;
    }
    return true;
  }

  enter(lane: Lane): void {
    this.cancelIdle?.();
    this.cancelIdle = undefined;
    this.idle = false;
    this.inFlight[lane]++;
    this.apply();
  }

  leave(lane: Lane): void {
    this.inFlight[lane] = Math.max(0, this.inFlight[lane] - 1);
    if (this.enabled && this.inFlight.foreground + this.inFlight.background === 0 && this.current !== this.base && !this.cancelIdle) {
      this.cancelIdle = this.ops.schedule(() => {
        this.cancelIdle = undefined;
        this.idle = true;
        this.apply();
      }, this.holdMs);
    }
    this.apply();
  }

  /** The nice value the thread should have now: lowered while only background requests are in
   *  flight, and (held) between them until `holdMs` pass with none. */
  wanted(): number {
    if (this.inFlight.foreground > 0) return this.base;
    if (this.inFlight.background > 0) return this.nice;
    return this.idle ? this.base : this.current;
  }

  private apply(): void {
    if (!this.enabled) return;
    const want = this.wanted();
    if (want === this.current) return;
    try {
      this.ops.set(want);
      this.current = want;
      this.changes++;
    } catch {
      // Refused (a capability dropped at run time): stay where the thread is.
    }
  }
}

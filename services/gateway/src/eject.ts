// Local ejection: after a connection-level failure towards an executor (UNAVAILABLE, or the
// stream reset by a dying process), this gateway stops choosing it for `ejectMs` (default 3 s,
// the scheduler's stale-after: by then the table has dropped a dead executor). A newer table does
// not lift the ejection early, because tables published within that window still list the dead
// executor from its last heartbeat. Ejection is a preference, not a ban: when every candidate
// is ejected the router places as if none were.
/** Called when an executor becomes ejected (not when a repeat failure renews an ejection). */
export type EjectHook = (executorId: string, reason: string) => void;

export class Ejections {
  private readonly until = new Map<string, number>();
  readonly ejectMs: number;
  /**
   * Told of every new ejection (metrics: switchyard_gateway_ejections_total). A renewal while
   * the executor is still ejected is not a new ejection: when an executor dies, every request
   * in flight towards it fails at once, and that is one ejection, not one per request.
   */
  onEject: EjectHook | undefined;

  constructor(opts: { ejectMs?: number; onEject?: EjectHook } = {}) {
    this.ejectMs = opts.ejectMs ?? 3000;
    this.onEject = opts.onEject;
  }

  /** Eject (or renew the ejection of) an executor; `reason` is a short label, default `executor_lost`. */
  eject(executorId: string, nowMs: number, reason = 'executor_lost'): void {
    const fresh = !this.isEjected(executorId, nowMs);
    this.until.set(executorId, nowMs + this.ejectMs);
    if (fresh) this.onEject?.(executorId, reason);
  }

  isEjected(executorId: string, nowMs: number): boolean {
    const u = this.until.get(executorId);
    if (u === undefined) return false;
    if (u <= nowMs) {
      this.until.delete(executorId);
      return false;
    }
    return true;
  }

  /** Currently ejected ids (expired entries are dropped). */
  active(nowMs: number): string[] {
    const out: string[] = [];
    for (const [id, u] of this.until) {
      if (u <= nowMs) this.until.delete(id);
      else out.push(id);
    }
    return out;
  }

  get size(): number { return this.until.size; }
}

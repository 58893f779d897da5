// Local ejection: after a connection-level failure towards an executor (UNAVAILABLE, or the
// stream reset by a dying process), this gateway stops choosing it for `ejectMs` (default 3 s,
// the scheduler's stale-after: by then the table has dropped a dead executor). A newer table does
// not lift the ejection early, because tables published within that window still list the dead
// executor from its last heartbeat. Ejection is a preference, not a ban: when every candidate
// is ejected the router places as if none were.
export class Ejections {
  private readonly until = new Map<string, number>();
  readonly ejectMs: number;

  constructor(opts: { ejectMs?: number } = {}) {
    this.ejectMs = opts.ejectMs ?? 3000;
  }

  eject(executorId: string, nowMs: number): void {
    this.until.set(executorId, nowMs + this.ejectMs);
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

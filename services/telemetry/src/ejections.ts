// Recent executor ejections for the dashboard: the scheduler's outlier ejections and restores,
// consumed from NATS (sy.v1.scheduler.ejection.<executor>, switchyard.scheduler.v1.EjectionEvent).
// Bounded: the newest `max` events are kept, in memory only. The gateway's own short local
// ejections (after an "executor lost" failure) are not published; its metrics count them
// (switchyard_gateway_ejections_total).
import { poolKey } from './aggregate.ts';

export interface EjectionEventLike {
  executor_id: string;
  pool: string;
  /** "EJECT" or "RESTORE". */
  action: string;
  reason: string;
  until_ms: number;
  at_ms: number;
}

export interface EjectionView {
  executor_id: string;
  /** gpu | cpu | unspecified */
  pool: string;
  action: 'EJECT' | 'RESTORE';
  reason: string;
  at_ms: number;
  /** EJECT: when the ejection lapses; RESTORE: 0. */
  until_ms: number;
  /** EJECT only: still in force (the executor's latest event, not lapsed). */
  active: boolean;
}

export class EjectionLog {
  readonly max: number;
  /** Oldest first. */
  private readonly events: Array<Omit<EjectionView, 'active'>> = [];
  /** Events received since start (including those no longer kept). */
  received = 0;

  constructor(o: { max?: number } = {}) {
    this.max = Math.max(1, o.max ?? 50);
  }

  /** Records one event; malformed ones (no executor, unknown action) are ignored and return false. */
  record(e: EjectionEventLike): boolean {
    const action = e.action === 'EJECT' || e.action === 'RESTORE' ? e.action : undefined;
    if (!action || !e.executor_id) return false;
    this.received++;
    this.events.push({
      executor_id: e.executor_id, pool: poolKey(e.pool), action, reason: e.reason ?? '',
      at_ms: Number(e.at_ms) || 0, until_ms: action === 'EJECT' ? Number(e.until_ms) || 0 : 0,
    });
    if (this.events.length > this.max) this.events.splice(0, this.events.length - this.max);
    return true;
  }

  /** Newest first; an EJECT is active while it is the executor's latest event and has not lapsed at `nowMs`. */
  list(nowMs: number): EjectionView[] {
    const seen = new Set<string>();
    const out: EjectionView[] = [];
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      const latest = !seen.has(e.executor_id);
      seen.add(e.executor_id);
      out.push({ ...e, active: latest && e.action === 'EJECT' && e.until_ms > nowMs });
    }
    return out;
  }

  get size(): number {
    return this.events.length;
  }
}

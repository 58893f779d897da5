// Outlier ejection for the placement tables: a pure core the scheduler feeds with executor
// heartbeats (cumulative success/error counts and smoothed service times per model) and asks,
// every few hundred ms, which executors to eject or restore. One PeerOutlierDetector
// (@switchyard/anomaly, Envoy-like) per pool. Time is passed in; nothing here does I/O.
//
// Statistics handed to the detector, per executor of a pool:
//   successes / failures — deltas of the heartbeat counters over the last `windowMs` (all models);
//   consecutiveErrors    — errors counted across heartbeats with no success in between;
//   p99Ms                — the executor's latency proxy: the smoothed (EWMA) service time of the
//                          pool's busiest model version at the smallest batch size it ran
//                          (heartbeats carry no percentiles); NaN when it never ran it.
// Few hosts: Envoy needs >= 5 hosts for its statistical rules; here minHosts defaults to 3 and the
// latency rule is "p99 > pool median × latencyFactor" (default 3), which works from 3 executors
// (the median of 3 is a healthy one as long as at most one is slow). With 2 executors no
// median-based rule can single one out (the median of two is their mean, and 3× the mean is more
// than either), nor can the success-rate rule (mean − 1.9·stdev is below both rates): a pool of 2
// is protected by the consecutive-errors rule only, and a pool of 1 is never ejected from.
// EWMA lag: after a restore, the service time still carries the slow past; the executor's latency
// counts as evidence again only if it rose 25 % above its value at restore time (it got worse), or once
// it came back within latencyFactor × median (recovered). Success-rate and consecutive-error rules
// apply as always.
import { PeerOutlierDetector, type PeerOutlierConfig, type PeerStats } from '@switchyard/anomaly';
import type { Heartbeat__Output } from '@switchyard/proto';

export interface EjectionSettings extends PeerOutlierConfig {
  /** Window over which request counts are taken (default 30 000 ms). */
  windowMs?: number;
  /**
   * A latency within this many ms of the pool median is never an outlier (default 10): 3× a 2 ms
   * model is scheduling noise on a busy machine, not a sick executor.
   */
  latencyMinDeltaMs?: number;
}

export interface EjectionRecord {
  executorId: string;
  pool: string;
  reason: string;
  ejectedAtMs: number;
  untilMs: number;
  count: number;
}

export interface EjectionChange {
  action: 'EJECT' | 'RESTORE';
  executorId: string;
  pool: string;
  reason: string;
  untilMs: number;
}

interface Sample { t: number; ok: number; err: number }
interface ExecState { samples: Sample[]; consecutive: number; lastOk: number; lastErr: number; started: number }

/** The latency proxy of one executor for one model version (any version if not given): EWMA service time at its smallest batch size. */
export function executorLatencyMs(hb: Heartbeat__Output, model: string, version?: string): number {
  let best = NaN;
  let bs = Infinity;
  for (const m of hb.models) {
    if (m.name !== model || (version !== undefined && m.version !== version)) continue;
    for (const t of m.service_times) if (t.batch_size < bs && t.ms > 0) { bs = t.batch_size; best = t.ms; }
  }
  return best;
}

function totals(hb: Heartbeat__Output): { ok: number; err: number } {
  let ok = 0, err = 0;
  for (const m of hb.models) { ok += Number(m.success_count); err += Number(m.error_count); }
  return { ok, err };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** After a restore, latency counts as new evidence only when 25 % worse than at restore time: smaller
 * rises are the smoothing of a busy machine, not a relapse. */
const RESTORE_WORSE_FACTOR = 1.25;

export class EjectionTracker {
  readonly windowMs: number;
  readonly latencyMinDeltaMs: number;
  readonly detectorConfig: PeerOutlierConfig;
  #detectors = new Map<string, PeerOutlierDetector>();
  #execs = new Map<string, ExecState>();
  #ejected = new Map<string, EjectionRecord>();
  /** Latency at restore time, while it is still to be trusted less (see the file comment). */
  #restoredLatency = new Map<string, number>();

  constructor(s: EjectionSettings = {}) {
    this.windowMs = s.windowMs ?? 30_000;
    this.latencyMinDeltaMs = s.latencyMinDeltaMs ?? 10;
    const { windowMs: _w, latencyMinDeltaMs: _d, ...rest } = s;
    this.detectorConfig = { minHosts: 3, minRequests: 20, latencyFactor: 3, intervalMs: 10_000, ...rest };
    new PeerOutlierDetector(this.detectorConfig); // validate now
  }

  /** Records one heartbeat's counters. */
  observe(hb: Heartbeat__Output, nowMs: number): void {
    const { ok, err } = totals(hb);
    let e = this.#execs.get(hb.executor_id);
    if (!e || e.started !== Number(hb.started_at_ms) || ok < e.lastOk || err < e.lastErr) {
      e = { samples: [], consecutive: 0, lastOk: ok, lastErr: err, started: Number(hb.started_at_ms) };
      this.#execs.set(hb.executor_id, e);
    }
    const dOk = ok - e.lastOk, dErr = err - e.lastErr;
    if (dOk > 0) e.consecutive = 0;
    else if (dErr > 0) e.consecutive += dErr;
    e.lastOk = ok;
    e.lastErr = err;
    e.samples.push({ t: nowMs, ok, err });
    while (e.samples.length > 2 && e.samples[1]!.t <= nowMs - this.windowMs) e.samples.shift();
  }

  forget(executorId: string): void {
    this.#execs.delete(executorId);
    this.#ejected.delete(executorId);
    this.#restoredLatency.delete(executorId);
  }

  isEjected(executorId: string): boolean {
    return this.#ejected.has(executorId);
  }

  ejectedIds(): Set<string> {
    return new Set(this.#ejected.keys());
  }

  list(): EjectionRecord[] {
    return [...this.#ejected.values()].sort((a, b) => a.executorId.localeCompare(b.executorId));
  }

  /**
   * One evaluation over the executors currently in the view (healthy, not draining), grouped by
   * pool. Returns the ejections and restores made now.
   */
  evaluate(nowMs: number, executors: readonly Heartbeat__Output[]): EjectionChange[] {
    const byPool = new Map<string, Heartbeat__Output[]>();
    for (const hb of executors) {
      const list = byPool.get(hb.pool) ?? [];
      list.push(hb);
      byPool.set(hb.pool, list);
    }
    const changes: EjectionChange[] = [];
    for (const [pool, hbs] of byPool) {
      let det = this.#detectors.get(pool);
      if (!det) this.#detectors.set(pool, (det = new PeerOutlierDetector(this.detectorConfig)));
      // The pool's busiest model version: the latency proxy's (versions apart: a slow canary
      // version is the canary check's business, not a sign of a slow executor).
      const load = new Map<string, number>();
      for (const hb of hbs) for (const m of hb.models) { const k = `${m.name}\u0000${m.version}`; load.set(k, (load.get(k) ?? 0) + Number(m.success_count) + m.throughput_rps * 1000); }
      const busiest = [...load.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0]?.split('\u0000');
      const lat = new Map(hbs.map((hb) => [hb.executor_id, busiest ? executorLatencyMs(hb, busiest[0]!, busiest[1]!) : NaN]));
      const liveLat = hbs.filter((hb) => !this.#ejected.has(hb.executor_id)).map((hb) => lat.get(hb.executor_id)!).filter(Number.isFinite);
      const med = liveLat.length ? median(liveLat) : NaN;
      const factor = this.detectorConfig.latencyFactor ?? 3;
      const stats: PeerStats[] = hbs.map((hb) => {
        const e = this.#execs.get(hb.executor_id);
        const first = e?.samples[0];
        const last = e?.samples[e.samples.length - 1];
        let p99 = lat.get(hb.executor_id)!;
        const atRestore = this.#restoredLatency.get(hb.executor_id);
        if (atRestore !== undefined) {
          if (Number.isFinite(med) && p99 <= med * factor) this.#restoredLatency.delete(hb.executor_id); // recovered
          else if (!(p99 > atRestore * RESTORE_WORSE_FACTOR)) p99 = NaN; // still the slow past (within noise), not new evidence
        }
        // Within latencyMinDeltaMs of the median: clamped to the median (which leaves the median as it is).
        if (Number.isFinite(p99) && Number.isFinite(med) && p99 - med < this.latencyMinDeltaMs) p99 = Math.min(p99, med);
        return {
          id: hb.executor_id,
          successes: first && last ? last.ok - first.ok : 0,
          failures: first && last ? last.err - first.err : 0,
          p99Ms: Number.isFinite(p99) ? p99 : NaN,
          consecutiveErrors: e?.consecutive ?? 0,
        };
      });
      const d = det.evaluate(nowMs, stats);
      for (const id of d.restore) {
        const rec = this.#ejected.get(id);
        this.#ejected.delete(id);
        const l = lat.get(id);
        if (l !== undefined && Number.isFinite(l)) this.#restoredLatency.set(id, l);
        changes.push({ action: 'RESTORE', executorId: id, pool, reason: `ejection time over (was: ${rec?.reason ?? '?'}); on probation`, untilMs: nowMs });
      }
      for (const ej of d.eject) {
        this.#restoredLatency.delete(ej.id);
        const e = this.#execs.get(ej.id);
        if (e) e.consecutive = 0;
        this.#ejected.set(ej.id, { executorId: ej.id, pool, reason: ej.reason, ejectedAtMs: nowMs, untilMs: ej.untilMs, count: det.ejectionCount(ej.id) });
        changes.push({ action: 'EJECT', executorId: ej.id, pool, reason: ej.reason, untilMs: ej.untilMs });
      }
    }
    // Ejected executors that left the view: the detector restores them when their time is over.
    return changes;
  }
}

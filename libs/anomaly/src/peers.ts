// Envoy-like outlier detection across the executors of one pool. Pure: the caller passes the time
// and the per-executor statistics; the detector keeps only ejection bookkeeping.
//
// evaluate(nowMs, stats) — stats hold one entry per executor of the pool (ejected ones included),
// with counts over the last interval (the caller resets them per interval) and the current run
// of consecutive errors:
//  1. Restore: an executor whose ejection time has passed is returned in `restore` and enters
//     probation for `probationMs`. Ejected again during probation, its ejection count keeps
//     growing; each full probation period without an ejection decays the count by one.
//  2. Consecutive errors (checked on every call): consecutiveErrors >= consecutiveErrors → eject.
//  3. Once per intervalMs (the first call always sweeps):
//     - success rate: among executors with >= minRequests requests, if there are >= minHosts of
//       them, eject those with rate < mean − successRateStdevFactor × stdev (population stdev);
//     - latency: among executors with >= minRequests requests and a finite p99, if >= minHosts,
//       eject those with p99 > median × latencyFactor when latencyFactor is set, else
//       p99 > median + max(3 × 1.4826 × MAD, 0.5 × median) (MAD-based, with a 50 % floor so a
//       very tight pool does not eject on noise).
//  Worst first: consecutive errors, then lowest success rate (by how far below the limit), then
//  highest latency (by ratio to the limit).
//  Cap: never more than maxEjectionPercent of the pool ejected at once, but at least 1 when the
//  pool has >= 2 executors (Envoy's "at least one host regardless"); a pool of 1 is never
//  ejected from. Already-ejected executors count against the cap.
//  Ejection time = baseEjectionMs × (number of times ejected), capped at maxEjectionMs.

export interface PeerOutlierConfig {
  consecutiveErrors?: number;
  intervalMs?: number;
  baseEjectionMs?: number;
  maxEjectionPercent?: number;
  successRateStdevFactor?: number;
  minHosts?: number;
  minRequests?: number;
  /** p99 > median × latencyFactor is an outlier; if unset, a MAD-based limit is used. */
  latencyFactor?: number;
  /** Upper bound of one ejection. Default 300 000 (Envoy's max_ejection_time). */
  maxEjectionMs?: number;
  /** Probation after a restore. Default baseEjectionMs. */
  probationMs?: number;
}

export interface PeerStats {
  id: string;
  successes: number;
  failures: number;
  p99Ms: number;
  consecutiveErrors: number;
}

export interface PeerEjection {
  id: string;
  reason: string;
  untilMs: number;
}

export interface PeerDecision {
  eject: PeerEjection[];
  restore: string[];
}

interface HostState {
  ejections: number;
  ejectedUntil: number | undefined;
  probationUntil: number | undefined;
  reason: string;
}

type Resolved = Required<Omit<PeerOutlierConfig, 'latencyFactor'>> & { latencyFactor: number | undefined };

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;

export class PeerOutlierDetector {
  readonly config: Readonly<Resolved>;
  #hosts = new Map<string, HostState>();
  #lastSweep: number | undefined;

  constructor(c: PeerOutlierConfig = {}) {
    const base = c.baseEjectionMs ?? 30_000;
    const r: Resolved = {
      consecutiveErrors: c.consecutiveErrors ?? 5, intervalMs: c.intervalMs ?? 10_000, baseEjectionMs: base,
      maxEjectionPercent: c.maxEjectionPercent ?? 10, successRateStdevFactor: c.successRateStdevFactor ?? 1.9,
      minHosts: c.minHosts ?? 5, minRequests: c.minRequests ?? 100, latencyFactor: c.latencyFactor,
      maxEjectionMs: c.maxEjectionMs ?? Math.max(300_000, base), probationMs: c.probationMs ?? base,
    };
    for (const key of ['consecutiveErrors', 'minHosts', 'minRequests'] as const) {
      if (!Number.isInteger(r[key]) || r[key] < 1) throw new RangeError(`${key} must be a whole number >= 1, got ${String(r[key])}`);
    }
    for (const key of ['intervalMs', 'baseEjectionMs', 'maxEjectionMs', 'successRateStdevFactor'] as const) {
      if (!Number.isFinite(r[key]) || r[key] <= 0) throw new RangeError(`${key} must be a positive number, got ${String(r[key])}`);
    }
    if (!Number.isFinite(r.probationMs) || r.probationMs < 0) throw new RangeError(`probationMs must be a number >= 0, got ${String(r.probationMs)}`);
    if (!Number.isFinite(r.maxEjectionPercent) || r.maxEjectionPercent < 0 || r.maxEjectionPercent > 100) {
      throw new RangeError(`maxEjectionPercent must be in [0, 100], got ${String(r.maxEjectionPercent)}`);
    }
    if (r.latencyFactor !== undefined && (!Number.isFinite(r.latencyFactor) || r.latencyFactor <= 1)) {
      throw new RangeError(`latencyFactor must be a number > 1, got ${String(r.latencyFactor)}`);
    }
    this.config = Object.freeze(r);
  }

  /** Currently ejected executors with their reasons and end times. */
  ejected(): PeerEjection[] {
    const out: PeerEjection[] = [];
    for (const [id, h] of this.#hosts) if (h.ejectedUntil !== undefined) out.push({ id, reason: h.reason, untilMs: h.ejectedUntil });
    return out;
  }

  /** How many times an executor has been ejected (decays through clean probations). */
  ejectionCount(id: string): number {
    return this.#hosts.get(id)?.ejections ?? 0;
  }

  /** The most executors that may be ejected at once from a pool of this size. */
  cap(poolSize: number): number {
    if (poolSize < 2) return 0;
    return Math.max(1, Math.floor((poolSize * this.config.maxEjectionPercent) / 100));
  }

  evaluate(nowMs: number, stats: PeerStats[]): PeerDecision {
    if (!Number.isFinite(nowMs)) throw new RangeError(`nowMs must be a finite number, got ${String(nowMs)}`);
    if (!Array.isArray(stats)) throw new RangeError('stats must be an array');
    const seen = new Set<string>();
    stats.forEach((s, i) => {
      if (typeof s?.id !== 'string' || !s.id) throw new RangeError(`stats[${i}].id must be a non-empty string`);
      if (seen.has(s.id)) throw new RangeError(`stats[${i}]: duplicate id ${s.id}`);
      seen.add(s.id);
      for (const k of ['successes', 'failures', 'consecutiveErrors'] as const) {
        if (!Number.isFinite(s[k]) || s[k] < 0) throw new RangeError(`stats[${i}] (${s.id}).${k} must be a number >= 0, got ${String(s[k])}`);
      }
      if (typeof s.p99Ms !== 'number' || s.p99Ms < 0) throw new RangeError(`stats[${i}] (${s.id}).p99Ms must be a number >= 0 (NaN = unknown), got ${String(s.p99Ms)}`);
    });
    const cfg = this.config;

    // 1. restores and probation decay
    const restore: string[] = [];
    for (const [id, h] of this.#hosts) {
      if (h.ejectedUntil !== undefined && h.ejectedUntil <= nowMs) {
        h.ejectedUntil = undefined;
        h.probationUntil = nowMs + cfg.probationMs;
        restore.push(id);
      } else if (h.ejectedUntil === undefined && h.probationUntil !== undefined && h.probationUntil <= nowMs) {
        h.ejections = Math.max(0, h.ejections - 1);
        h.probationUntil = h.ejections > 0 ? nowMs + cfg.probationMs : undefined;
      }
    }
    const restored = new Set(restore);

    const isEjected = (id: string) => this.#hosts.get(id)?.ejectedUntil !== undefined;
    const live = stats.filter((s) => !isEjected(s.id) && !restored.has(s.id));
    const candidates: Array<{ id: string; tier: number; severity: number; reason: string }> = [];

    // 2. consecutive errors
    for (const s of live) {
      if (s.consecutiveErrors >= cfg.consecutiveErrors) {
        candidates.push({ id: s.id, tier: 0, severity: s.consecutiveErrors, reason: `consecutive-errors: ${s.consecutiveErrors} >= ${cfg.consecutiveErrors}` });
      }
    }

    // 3. interval sweep
    if (this.#lastSweep === undefined || nowMs - this.#lastSweep >= cfg.intervalMs) {
      this.#lastSweep = nowMs;
      const busy = live.filter((s) => s.successes + s.failures >= cfg.minRequests);
      if (busy.length >= cfg.minHosts) {
        const rates = busy.map((s) => s.successes / (s.successes + s.failures));
        const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
        const sd = Math.sqrt(rates.reduce((a, b) => a + (b - mean) ** 2, 0) / rates.length);
        const limit = mean - cfg.successRateStdevFactor * sd;
        busy.forEach((s, i) => {
          const rate = rates[i] as number;
          if (rate < limit) {
            candidates.push({ id: s.id, tier: 1, severity: limit - rate, reason: `success-rate ${r3(rate)} < ${r3(limit)} (pool mean ${r3(mean)} − ${cfg.successRateStdevFactor}×stdev ${r3(sd)})` });
          }
        });
      }
      const timed = busy.filter((s) => Number.isFinite(s.p99Ms));
      if (timed.length >= cfg.minHosts) {
        const p99s = timed.map((s) => s.p99Ms);
        const med = median(p99s);
        let limit: number;
        let how: string;
        if (cfg.latencyFactor !== undefined) {
          limit = med * cfg.latencyFactor;
          how = `median ${r3(med)} ms × ${cfg.latencyFactor}`;
        } else {
          const mad = median(p99s.map((v) => Math.abs(v - med)));
          limit = med + Math.max(3 * 1.4826 * mad, 0.5 * med);
          how = `median ${r3(med)} ms + max(3×1.4826×MAD ${r3(mad)}, 50 %)`;
        }
        for (const s of timed) {
          if (s.p99Ms > limit && limit > 0) {
            candidates.push({ id: s.id, tier: 2, severity: s.p99Ms / limit, reason: `latency p99 ${r3(s.p99Ms)} ms > ${r3(limit)} ms (${how})` });
          }
        }
      }
    }

    // 4. eject, worst first, within the cap
    const poolIds = new Set<string>(stats.map((s) => s.id));
    for (const [id, h] of this.#hosts) if (h.ejectedUntil !== undefined) poolIds.add(id);
    const cap = this.cap(poolIds.size);
    let ejectedNow = [...this.#hosts.values()].filter((h) => h.ejectedUntil !== undefined).length;
    candidates.sort((a, b) => a.tier - b.tier || b.severity - a.severity || (a.id < b.id ? -1 : 1));
    const eject: PeerEjection[] = [];
    const done = new Set<string>();
    for (const c of candidates) {
      if (done.has(c.id)) continue;
      if (ejectedNow >= cap) break;
      let h = this.#hosts.get(c.id);
      if (!h) {
        h = { ejections: 0, ejectedUntil: undefined, probationUntil: undefined, reason: '' };
        this.#hosts.set(c.id, h);
      }
      h.ejections++;
      h.ejectedUntil = nowMs + Math.min(cfg.baseEjectionMs * h.ejections, cfg.maxEjectionMs);
      h.probationUntil = undefined;
      h.reason = h.ejections > 1 ? `${c.reason} (ejection #${h.ejections})` : c.reason;
      eject.push({ id: c.id, reason: h.reason, untilMs: h.ejectedUntil });
      done.add(c.id);
      ejectedNow++;
    }
    // forget executors that are neither ejected nor remembered for a multiplier
    for (const [id, h] of this.#hosts) if (h.ejections === 0 && h.ejectedUntil === undefined) this.#hosts.delete(id);
    return { eject, restore };
  }
}

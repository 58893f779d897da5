// Canary rollback decision: pure. When two versions of a model are READY, the newer one (the
// canary) is compared with the next older one (the stable): if it fails more often or is much
// slower, it is to be rolled back (taken out of placement and unloaded). Bounds, not statistics:
// canary traffic is small, so the rule needs a minimum of requests and a margin on both signals.

export interface CanaryVersionStats {
  version: string;
  /** Requests answered (over the comparison window). */
  successes: number;
  failures: number;
  /** Latency proxy (e.g. EWMA service time at the smallest batch size), ms; NaN unknown. */
  latencyMs: number;
}

export interface CanaryConfig {
  /** Minimum requests the canary must have served before a verdict (default 20). */
  minRequests?: number;
  /** Canary error rate above stable's + this is a failure (default 0.05). */
  errorRateMargin?: number;
  /** Canary latency above stable's × this (and by at least minLatencyDeltaMs) is a failure (default 2). */
  latencyFactor?: number;
  /** Default 5 ms: a 2× of a 1 ms model is noise. */
  minLatencyDeltaMs?: number;
}

export interface CanaryVerdict {
  model: string;
  canary: string;
  stable: string;
  rollback: boolean;
  reason: string;
}

function cmp(a: string, b: string): number {
  const na = Number(a), nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
}

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

/** One verdict per model with >= 2 versions (canary = newest, stable = the next older). */
export function decideCanaries(models: ReadonlyMap<string, readonly CanaryVersionStats[]>, c: CanaryConfig = {}): CanaryVerdict[] {
  const minRequests = c.minRequests ?? 20;
  const margin = c.errorRateMargin ?? 0.05;
  const factor = c.latencyFactor ?? 2;
  const minDelta = c.minLatencyDeltaMs ?? 5;
  if (!(minRequests >= 1) || !(margin >= 0) || !(factor > 1) || !(minDelta >= 0)) throw new RangeError('decideCanaries: minRequests >= 1, errorRateMargin >= 0, latencyFactor > 1, minLatencyDeltaMs >= 0');
  const out: CanaryVerdict[] = [];
  for (const [model, versions] of [...models.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (versions.length < 2) continue;
    const sorted = [...versions].sort((a, b) => cmp(a.version, b.version));
    const canary = sorted[sorted.length - 1]!;
    const stable = sorted[sorted.length - 2]!;
    const base = { model, canary: canary.version, stable: stable.version };
    const nC = canary.successes + canary.failures;
    if (nC < minRequests) {
      out.push({ ...base, rollback: false, reason: `canary has ${nC} < ${minRequests} requests` });
      continue;
    }
    const nS = stable.successes + stable.failures;
    const errC = canary.failures / nC;
    const errS = nS > 0 ? stable.failures / nS : 0;
    if (errC > errS + margin) {
      out.push({ ...base, rollback: true, reason: `error rate ${pct(errC)} > stable ${pct(errS)} + ${pct(margin)}` });
      continue;
    }
    if (Number.isFinite(canary.latencyMs) && Number.isFinite(stable.latencyMs) && canary.latencyMs > stable.latencyMs * factor && canary.latencyMs - stable.latencyMs >= minDelta) {
      out.push({ ...base, rollback: true, reason: `latency ${canary.latencyMs.toFixed(1)} ms > stable ${stable.latencyMs.toFixed(1)} ms × ${factor}` });
      continue;
    }
    out.push({ ...base, rollback: false, reason: 'canary within bounds' });
  }
  return out;
}

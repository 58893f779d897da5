// Queueing model for sizing a pool: M/M/c (Erlang C) with a latency-tail SLO.
//
// Arrivals Poisson at rate λ (req/s), c replicas each serving μ req/s, offered load a = λ/μ,
// utilisation ρ = a/c (< 1 for a steady state).
//   Erlang B by the stable recursion B(0) = 1, B(k) = a·B(k-1) / (k + a·B(k-1)) (no factorials, no
//   powers: fine for c in the thousands), and
//   Erlang C  C(c, a) = B / (1 - ρ(1 - B))  = P(an arrival has to wait).
//   Waiting time tail: P(W > t) = C · e^{-(cμ - λ) t}.
// Response time R = W + S against the SLO "the p-th percentile of R <= T", i.e. P(R > T) <= 1 - p:
//   - 'deterministic' service (S = 1/μ, what a GPU running a fixed model mostly looks like):
//       P(R > T) = P(W > T - S) = C · e^{-(cμ-λ)(T-S)}  (T < S: infeasible, = 1). This mixes an
//       exponential-service wait with a deterministic service time (an M/D/c wait is shorter than
//       M/M/c's, so this errs on the safe side).
//   - 'exponential' service (textbook M/M/c): W is 0 with prob. 1-C, else Exp(θ), θ = cμ-λ, and
//       S ~ Exp(μ) independent, so
//       P(R > T) = (1-C)·e^{-μT} + C·(μ e^{-θT} - θ e^{-μT}) / (μ - θ)   (θ = μ: C·(1+μT)e^{-μT}).
// With dynamic batching, μ is the effective per-replica rate at the likely batch size b
// (b / service(b)); the model then treats a batch as a single server's work — an approximation.
// Utilisation cap: c >= λ / (μ · cap) regardless of the tail (headroom for forecast error and
// for the latency model's optimism near saturation).

export type ServiceModel = 'deterministic' | 'exponential';

/** Erlang C: probability that an arrival waits, c servers, offered load a = λ/μ. 1 when a >= c. */
export function erlangC(c: number, a: number): number {
  if (!Number.isInteger(c) || c < 1) throw new RangeError(`erlangC: c must be a whole number >= 1, got ${String(c)}`);
  if (!(a >= 0) || !Number.isFinite(a)) throw new RangeError(`erlangC: offered load must be a finite number >= 0, got ${String(a)}`);
  if (a === 0) return 0;
  if (a >= c) return 1;
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return erlangCFromB(b, a / c);
}

/** Erlang B (blocking probability), same recursion. */
export function erlangB(c: number, a: number): number {
  if (!Number.isInteger(c) || c < 0) throw new RangeError(`erlangB: c must be a whole number >= 0, got ${String(c)}`);
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

function erlangCFromB(b: number, rho: number): number {
  if (rho >= 1) return 1;
  return b / (1 - rho * (1 - b));
}

/** P(W > t): the M/M/c waiting-time tail (t in seconds). */
export function waitTail(c: number, lambda: number, mu: number, tS: number): number {
  if (lambda >= c * mu) return 1;
  const C = erlangC(c, lambda / mu);
  return tS <= 0 ? C : C * Math.exp(-(c * mu - lambda) * tS);
}

function responseTailFromC(C: number, c: number, lambda: number, mu: number, tS: number, model: ServiceModel, sS = 1 / mu): number {
  const theta = c * mu - lambda;
  if (theta <= 0) return 1;
  if (model === 'deterministic') {
    const slack = tS - sS;
    if (slack < 0) return 1;
    return C * Math.exp(-theta * slack);
  }
  const eMu = Math.exp(-mu * tS);
  const both = Math.abs(mu - theta) < 1e-12 * mu ? (1 + mu * tS) * eMu : (mu * Math.exp(-theta * tS) - theta * eMu) / (mu - theta);
  return (1 - C) * eMu + C * both;
}

/** P(W + S > t) under the chosen service model (t in seconds). */
export function responseTail(c: number, lambda: number, mu: number, tS: number, model: ServiceModel = 'deterministic'): number {
  if (lambda >= c * mu) return 1;
  return responseTailFromC(erlangC(c, lambda / mu), c, lambda, mu, tS, model);
}

export interface SizingOptions {
  /** Latency SLO in ms (the sloPercentile of request latency must stay at or below it). */
  sloMs: number;
  /** e.g. 0.99 for a p99 SLO. */
  sloPercentile: number;
  /** Maximum utilisation λ/(cμ), (0, 1]. Default 0.85. */
  utilCap?: number;
  /** Default 'deterministic'. */
  serviceModel?: ServiceModel;
  /** Search bound (default 100000). */
  maxReplicas?: number;
  /**
   * Latency of one service (ms) for the deterministic model, when it differs from 1/μ: with
   * dynamic batching a request waits for its whole batch, service(b), while μ = b / service(b).
   * Default 1000/μ.
   */
  serviceMs?: number;
}

export interface Sizing {
  replicas: number;
  /** false when even maxReplicas cannot meet the SLO (e.g. service time alone exceeds it). */
  feasible: boolean;
  /** P(R > SLO) at `replicas`. */
  tail: number;
  /** λ / (replicas · μ). */
  utilisation: number;
}

/**
 * The fewest replicas c with λ/(cμ) <= utilCap and P(W + S > SLO) <= 1 - sloPercentile.
 * λ <= 0 needs 0 replicas (callers clamp to their minimum). O(c) in total: Erlang B is advanced
 * incrementally while c grows.
 */
export function requiredReplicas(lambda: number, mu: number, o: SizingOptions): Sizing {
  if (!Number.isFinite(lambda) || lambda < 0) throw new RangeError(`requiredReplicas: lambda must be a finite number >= 0, got ${String(lambda)}`);
  if (!Number.isFinite(mu) || mu <= 0) throw new RangeError(`requiredReplicas: mu must be a finite number > 0, got ${String(mu)}`);
  if (!(o.sloMs > 0)) throw new RangeError(`requiredReplicas: sloMs must be > 0, got ${String(o.sloMs)}`);
  if (!(o.sloPercentile > 0 && o.sloPercentile < 1)) throw new RangeError(`requiredReplicas: sloPercentile must be in (0, 1), got ${String(o.sloPercentile)}`);
  const cap = o.utilCap ?? 0.85;
  if (!(cap > 0 && cap <= 1)) throw new RangeError(`requiredReplicas: utilCap must be in (0, 1], got ${String(cap)}`);
  const max = o.maxReplicas ?? 100_000;
  const model = o.serviceModel ?? 'deterministic';
  if (lambda === 0) return { replicas: 0, feasible: true, tail: 0, utilisation: 0 };
  const a = lambda / mu;
  const allowed = 1 - o.sloPercentile;
  const tS = o.sloMs / 1000;
  const sS = o.serviceMs !== undefined && o.serviceMs > 0 ? o.serviceMs / 1000 : 1 / mu;
  let c = Math.max(1, Math.ceil(a / cap - 1e-9));
  if (c > max) return { replicas: max, feasible: false, tail: 1, utilisation: a / max };
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  for (;;) {
    const C = erlangCFromB(b, a / c);
    const tail = responseTailFromC(C, c, lambda, mu, tS, model, sS);
    if (tail <= allowed) return { replicas: c, feasible: true, tail, utilisation: a / c };
    if (c >= max) return { replicas: c, feasible: false, tail, utilisation: a / c };
    // Deterministic service longer than the SLO: no number of replicas helps.
    if ((model === 'deterministic' && sS > tS) || (model === 'exponential' && Math.exp(-mu * tS) > allowed)) return { replicas: max, feasible: false, tail: 1, utilisation: a / max };
    c++;
    b = (a * b) / (c + a * b);
  }
}

// Shared pieces of the forecasters: the point type, the interface, input checks and the normal quantile.

/** One forecast step: point forecast and the prediction interval at the forecaster's level. */
export interface ForecastPoint {
  mean: number;
  lower: number;
  upper: number;
}

/** What every forecaster offers. Points arrive at a fixed step; the forecaster never reads a clock. */
export interface Forecaster {
  /** Feed the next observation (must be a finite number, else RangeError). O(1) per point. */
  update(value: number): void;
  /** Forecasts for steps 1..h ahead, intervals at the configured level (default 95 %). */
  forecast(h: number): ForecastPoint[];
  /** Point forecast h steps ahead (throws RangeError before the first observation). */
  mean(h: number): number;
  /** The q-quantile (0 < q < 1) of the forecast distribution h steps ahead (normal approximation). */
  quantile(h: number, q: number): number;
  /** Standard error of the h-step-ahead forecast (0 until there is a residual to learn from). */
  stdError(h: number): number;
  /** Number of observations seen. */
  readonly count: number;
  toJSON(): ForecasterJSON;
}

/** The serialized form: a kind tag, a format version, the config and the state (plain JSON). */
export interface ForecasterJSON {
  kind: string;
  v: 1;
  config: Record<string, unknown>;
  state: Record<string, unknown>;
}

export function checkValue(value: number, where: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${where}: value must be a finite number, got ${String(value)}`);
  }
}

export function checkHorizon(h: number, where: string): void {
  if (!Number.isInteger(h) || h < 0) throw new RangeError(`${where}: horizon must be a whole number >= 0, got ${String(h)}`);
}

export function checkUnit(name: string, v: number, lo: number, hi: number, openLo = false, openHi = false): void {
  const bad = typeof v !== 'number' || !Number.isFinite(v) || (openLo ? v <= lo : v < lo) || (openHi ? v >= hi : v > hi);
  if (bad) throw new RangeError(`${name} must be in ${openLo ? '(' : '['}${lo}, ${hi}${openHi ? ')' : ']'}, got ${String(v)}`);
}

export function checkLevel(level: number): void {
  checkUnit('level', level, 0, 1, true, true);
}

export function checkQuantile(q: number): void {
  checkUnit('q', q, 0, 1, true, true);
}

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9).
 */
export function normalQuantile(p: number): number {
  checkUnit('p', p, 0, 1, true, true);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - pl) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, absolute error < 1.5e-7). */
export function normalCdf(z: number): number {
  if (z === Infinity) return 1;
  if (z === -Infinity) return 0;
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - (((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t) * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/**
 * Running residual variance: an exponentially weighted mean of squared one-step errors. The
 * weight is max(1/n, alpha), so the first errors are averaged plainly (no start-up bias) and
 * later ones forget at rate alpha.
 */
export function ewVariance(prev: number, n: number, err: number, alpha: number): number {
  const w = Math.max(1 / n, alpha);
  return prev + w * (err * err - prev);
}

export function makePoint(mean: number, sd: number, z: number, floor: number | undefined): ForecastPoint {
  let lower = mean - z * sd;
  let upper = mean + z * sd;
  let m = mean;
  if (floor !== undefined) {
    m = Math.max(floor, m);
    lower = Math.max(floor, lower);
    upper = Math.max(floor, upper);
  }
  return { mean: m, lower, upper };
}

export function num(o: Record<string, unknown>, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${where}: field ${key} must be a finite number, got ${String(v)}`);
  return v;
}

export function numArray(o: Record<string, unknown>, key: string, where: string): number[] {
  const v = o[key];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new RangeError(`${where}: field ${key} must be an array of finite numbers`);
  }
  return v.slice() as number[];
}

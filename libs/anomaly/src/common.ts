// Shared pieces of the detectors: the result type, score calibration and input checks.

/** What every detector returns per point. score in [0, 1]; flag ⇔ score >= 0.5. */
export interface DetectorResult {
  score: number;
  flag: boolean;
  detail: string;
}

export interface Detector {
  update(x: number): DetectorResult;
  readonly count: number;
}

/**
 * Calibrated score of a test statistic z (>= 0) against its alarm threshold t:
 *   score = z⁴ / (z⁴ + t⁴)
 * so score = 0.5 exactly at the threshold, ≈ 0.06 at half of it, ≈ 0.94 at twice it, and 1 for
 * z = ∞. Every detector flags when its statistic reaches its threshold, i.e. when score >= 0.5,
 * which makes scores of different detectors comparable (and max-combinable).
 */
export function calibrate(z: number, t: number): number {
  if (!(z > 0)) return 0;
  if (z === Infinity) return 1;
  const r = (t / z) ** 4;
  return 1 / (1 + r);
}

export function checkX(x: number, where: string): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new RangeError(`${where}: value must be a finite number, got ${String(x)}`);
}

export function checkPositive(name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a positive number, got ${String(v)}`);
}

export function checkRate(name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 1) throw new RangeError(`${name} must be in (0, 1], got ${String(v)}`);
}

export function checkCount(name: string, v: number, min = 0): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be a whole number >= ${min}, got ${String(v)}`);
}

/** A scale that is never 0 for a constant series (1e-9 relative), so z stays finite unless x differs. */
export function scaleFloor(scale: number, center: number): number {
  return Math.max(scale, 1e-9 * Math.max(1, Math.abs(center)));
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e6 || a < 1e-3) ? v.toExponential(3) : String(Math.round(v * 1000) / 1000);
}

/** Median of a copy of xs (xs non-empty). */
export function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * Exponentially weighted baseline mean/variance with winsorized updates: a point further than
 * `clip` standard deviations from the mean is pulled in to the clip before it is learnt, so
 * spikes barely move the baseline while a sustained shift is still followed. The first
 * `warmup` points are averaged plainly (weight 1/n).
 */
export class Baseline {
  mean = 0;
  variance = 0;
  n = 0;
  readonly alpha: number;
  readonly warmup: number;
  readonly clip: number;

  constructor(alpha: number, warmup: number, clip = 4) {
    this.alpha = alpha;
    this.warmup = warmup;
    this.clip = clip;
  }

  get sd(): number {
    return Math.sqrt(this.variance);
  }

  get warm(): boolean {
    return this.n >= this.warmup;
  }

  learn(x: number): void {
    this.n++;
    if (this.n === 1) {
      this.mean = x;
      this.variance = 0;
      return;
    }
    let v = x;
    if (this.warm) {
      const lim = this.clip * this.sd;
      v = Math.min(this.mean + lim, Math.max(this.mean - lim, x));
    }
    const w = Math.max(1 / this.n, this.alpha);
    const d = v - this.mean;
    this.mean += w * d;
    this.variance = (1 - w) * (this.variance + w * d * d);
  }
}

// The four single-stream detectors. Each update(x) scores x against what came BEFORE it, then
// learns x; scores are calibrated with calibrate() (0.5 at the detector's threshold).
import { HoltWinters, type HoltWintersConfig } from '@switchyard/forecasting';
import { Baseline, calibrate, checkCount, checkPositive, checkRate, checkX, fmt, scaleFloor, type Detector, type DetectorResult } from './common.ts';

export interface RobustZConfig {
  /** Sliding window of past points. Default 120. */
  window?: number;
  /** Robust z at which to flag. Default 4.5. */
  threshold?: number;
  /** Points needed before scoring (score 0 before). Default 10. */
  minPoints?: number;
}

/**
 * Robust z-score: |x − median| / (1.4826 · MAD) over a sliding window of the previous points.
 * When the MAD is 0 (mostly-constant window) the scale falls back to 1.2533 × the mean absolute
 * deviation from the median, then to a 1e-9 relative floor (so any departure from a constant
 * series scores 1). O(window) per point (a sorted copy of the window; MAD by merging distances).
 */
export class RobustZ implements Detector {
  readonly window: number;
  readonly threshold: number;
  readonly minPoints: number;
  #buf: number[] = [];
  /** the same window, sorted (binary-search insert/remove: O(window) per point, no sort) */
  #sorted: number[] = [];
  #next = 0;
  #n = 0;

  constructor(c: RobustZConfig = {}) {
    this.window = c.window ?? 120;
    this.threshold = c.threshold ?? 4.5;
    this.minPoints = c.minPoints ?? 10;
    checkCount('window', this.window, 3);
    checkPositive('threshold', this.threshold);
    checkCount('minPoints', this.minPoints, 3);
  }

  get count(): number {
    return this.#n;
  }

  /** z of x against the current window (0 before minPoints). */
  z(x: number): { z: number; med: number; scale: number } {
    const s = this.#sorted;
    if (s.length < Math.min(this.minPoints, this.window)) return { z: 0, med: NaN, scale: NaN };
    const n = s.length;
    const mid = n >> 1;
    const med = n % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
    // MAD in O(n): distances below and above the median are each sorted; merge to the middle one(s)
    let i = mid - 1;
    let j = n % 2 ? mid + 1 : mid;
    const take = (): number => {
      const dl = i >= 0 ? med - (s[i] as number) : Infinity;
      const dr = j < n ? (s[j] as number) - med : Infinity;
      if (dl <= dr) { i--; return dl; }
      j++;
      return dr;
    };
    const m = n % 2 ? n - 1 : n; // distances to merge (the median itself is at distance 0 when n is odd)
    let mad: number;
    if (n % 2) {
      // n odd: n distances including the 0 of the median itself; the middle one is the (mid)-th of the rest
      let d = 0;
      for (let k = 0; k < mid; k++) d = take();
      mad = d;
    } else {
      let a = 0;
      for (let k = 0; k < m / 2; k++) a = take();
      const b = take();
      mad = (a + b) / 2;
    }
    let scale = 1.4826 * mad;
    if (scale === 0) {
      let sum = 0;
      for (const v of s) sum += Math.abs(v - med);
      scale = (1.2533 * sum) / n;
    }
    scale = scaleFloor(scale, med);
    return { z: Math.abs(x - med) / scale, med, scale };
  }

  update(x: number): DetectorResult {
    checkX(x, 'RobustZ.update');
    const { z, med, scale } = this.z(x);
    if (this.#buf.length < this.window) this.#buf.push(x);
    else {
      const old = this.#buf[this.#next] as number;
      this.#buf[this.#next] = x;
      this.#next = (this.#next + 1) % this.window;
      this.#sorted.splice(lowerBound(this.#sorted, old), 1);
    }
    this.#sorted.splice(lowerBound(this.#sorted, x), 0, x);
    this.#n++;
    if (Number.isNaN(med)) return { score: 0, flag: false, detail: `robust-z: warming up (${this.#n}/${this.minPoints})` };
    const score = calibrate(z, this.threshold);
    return { score, flag: z >= this.threshold, detail: `robust-z ${fmt(z)} (median ${fmt(med)}, scale ${fmt(scale)}, threshold ${fmt(this.threshold)})` };
  }
}

function lowerBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if ((a[m] as number) < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

export interface EwmaControlConfig {
  /** EWMA weight of the newest point. Default 0.2. */
  lambda?: number;
  /** Control-limit width L in asymptotic EWMA standard deviations. Default 3.5. */
  threshold?: number;
  /** Forgetting rate of the in-control mean/variance. Default 0.01. */
  baselineAlpha?: number;
  /** Points before scoring. Default 30. */
  warmup?: number;
  /** After this many consecutive out-of-control points, accept the new level. Default 50. */
  resetAfter?: number;
  /** Points enter the EWMA clipped to the baseline mean ± clip·σ. Default 3. */
  clip?: number;
}

/**
 * EWMA control chart: z_t = λ·x' + (1−λ)·z_{t−1}, flagged when |z_t − μ| > L·σ·√(λ/(2−λ)),
 * with μ, σ a slowly-forgetting winsorized baseline (see Baseline) and x' = x clipped to
 * μ ± clip·σ (robust EWMA): it catches small sustained shifts that a per-point test misses, and
 * a single spike (RobustZ's job) neither alarms it nor lingers in it. After `resetAfter` consecutive flags the baseline jumps to the
 * EWMA (the shift has become the new normal).
 */
export class EwmaControl implements Detector {
  readonly lambda: number;
  readonly threshold: number;
  readonly resetAfter: number;
  readonly clip: number;
  #base: Baseline;
  #ewma = 0;
  #n = 0;
  #run = 0;

  constructor(c: EwmaControlConfig = {}) {
    this.lambda = c.lambda ?? 0.2;
    this.threshold = c.threshold ?? 3.5;
    this.resetAfter = c.resetAfter ?? 50;
    this.clip = c.clip ?? 3;
    checkPositive('clip', this.clip);
    checkRate('lambda', this.lambda);
    checkPositive('threshold', this.threshold);
    checkCount('resetAfter', this.resetAfter, 1);
    const alpha = c.baselineAlpha ?? 0.01;
    const warmup = c.warmup ?? 30;
    checkRate('baselineAlpha', alpha);
    checkCount('warmup', warmup, 2);
    this.#base = new Baseline(alpha, warmup);
  }

  get count(): number {
    return this.#n;
  }

  update(x: number): DetectorResult {
    checkX(x, 'EwmaControl.update');
    this.#n++;
    const b = this.#base;
    if (!b.warm) {
      this.#ewma = this.#n === 1 ? x : this.lambda * x + (1 - this.lambda) * this.#ewma;
      b.learn(x);
      return { score: 0, flag: false, detail: `ewma: warming up (${b.n}/${b.warmup})` };
    }
    // a degenerate (constant) baseline has no scale to clip by: any departure counts in full
    const degenerate = scaleFloor(b.sd, b.mean) > b.sd;
    const lim = this.clip * b.sd;
    const xc = degenerate ? x : Math.min(b.mean + lim, Math.max(b.mean - lim, x));
    this.#ewma = this.lambda * xc + (1 - this.lambda) * this.#ewma;
    const limitSd = scaleFloor(b.sd * Math.sqrt(this.lambda / (2 - this.lambda)), b.mean);
    const z = Math.abs(this.#ewma - b.mean) / limitSd;
    const flag = z >= this.threshold;
    const detail = `ewma ${fmt(this.#ewma)} vs mean ${fmt(b.mean)}: ${fmt(z)} limit-sd (L ${fmt(this.threshold)})`;
    b.learn(x);
    this.#run = flag ? this.#run + 1 : 0;
    if (this.#run >= this.resetAfter) {
      b.mean = this.#ewma;
      this.#run = 0;
    }
    return { score: calibrate(z, this.threshold), flag, detail };
  }
}

/**
 * Two-sided tabular CUSUM on standardized, clipped values u = clip((x − μ)/σ, ±clip):
 *   S⁺ ← max(0, S⁺ + u − k),  S⁻ ← max(0, S⁻ − u − k),  alarm when max(S⁺, S⁻) ≥ h.
 * A shift of δσ (k < δ ≤ clip) is caught after about h / (δ − k) points. Clipping (default 3σ)
 * makes it a change-point detector, not a spike detector: one isolated spike adds at most
 * clip − k < h (spikes are RobustZ's job). On an alarm the sums reset and the baseline restarts
 * (a new segment: its mean and σ are re-learnt over `warmup` points, without alarms), so a level
 * shift is reported once, as a change point, not forever.
 */
export interface CusumConfig {
  /** Allowance k in baseline standard deviations. Default 0.5 (tuned to a 1σ shift). */
  k?: number;
  /** Decision interval h in baseline standard deviations. Default 5. */
  h?: number;
  /** Standardized values are clipped to ±clip. Default 3. */
  clip?: number;
  /** Forgetting rate of the in-control mean/variance. Default 0.01. */
  baselineAlpha?: number;
  /** Points before scoring (and after each change point). Default 30. */
  warmup?: number;
}

export class Cusum implements Detector {
  readonly k: number;
  readonly h: number;
  readonly clip: number;
  readonly baselineAlpha: number;
  readonly warmup: number;
  #base: Baseline;
  #sp = 0;
  #sm = 0;
  #n = 0;

  constructor(c: CusumConfig = {}) {
    this.k = c.k ?? 0.5;
    this.h = c.h ?? 5;
    this.clip = c.clip ?? 3;
    if (!Number.isFinite(this.k) || this.k < 0) throw new RangeError(`k must be a number >= 0, got ${String(this.k)}`);
    checkPositive('h', this.h);
    checkPositive('clip', this.clip);
    this.baselineAlpha = c.baselineAlpha ?? 0.01;
    this.warmup = c.warmup ?? 30;
    checkRate('baselineAlpha', this.baselineAlpha);
    checkCount('warmup', this.warmup, 2);
    this.#base = new Baseline(this.baselineAlpha, this.warmup);
  }

  get count(): number {
    return this.#n;
  }

  get sums(): { up: number; down: number } {
    return { up: this.#sp, down: this.#sm };
  }

  update(x: number): DetectorResult {
    checkX(x, 'Cusum.update');
    this.#n++;
    const b = this.#base;
    if (!b.warm) {
      b.learn(x);
      return { score: 0, flag: false, detail: `cusum: warming up (${b.n}/${b.warmup})` };
    }
    const sd = scaleFloor(b.sd, b.mean);
    const u = Math.max(-this.clip, Math.min(this.clip, (x - b.mean) / sd));
    this.#sp = Math.max(0, this.#sp + u - this.k);
    this.#sm = Math.max(0, this.#sm - u - this.k);
    const s = Math.max(this.#sp, this.#sm);
    const up = this.#sp >= this.#sm;
    const flag = s >= this.h;
    const detail = `cusum ${up ? 'up' : 'down'} S=${fmt(s)} (h ${fmt(this.h)}, mean ${fmt(b.mean)}, sd ${fmt(sd)})`;
    if (flag) {
      this.#sp = this.#sm = 0;
      this.#base = new Baseline(this.baselineAlpha, this.warmup);
      this.#base.learn(x);
    } else {
      b.learn(x);
    }
    return { score: calibrate(s, this.h), flag, detail: flag ? `${detail}: change point` : detail };
  }
}

export interface SeasonalResidualConfig extends Omit<HoltWintersConfig, 'level' | 'floor'> {
  /** |residual| / one-step standard error at which to flag. Default 4.5. */
  threshold?: number;
  /** Points before scoring. Default 2 × the shortest season + 10 (the baseline's own warm-up). */
  warmup?: number;
}

/**
 * Residual against a Holt-Winters seasonal baseline (@switchyard/forecasting): z = |x − ŷ| / se,
 * ŷ the one-step forecast and se its standard error. A normal daily peak is expected, so it
 * isn't flagged; a spike at a trough is. A flagged point is learnt clipped to ŷ ± threshold·se,
 * so outliers don't bend the seasonal baseline (a real level shift is still followed, a bit
 * each point).
 */
export class SeasonalResidual implements Detector {
  readonly threshold: number;
  readonly warmup: number;
  readonly model: HoltWinters;
  #last = 0;
  #lastSe = 0;

  constructor(c: SeasonalResidualConfig) {
    const { threshold, warmup, ...hw } = c;
    this.model = new HoltWinters(hw);
    this.threshold = threshold ?? 4.5;
    this.warmup = warmup ?? 2 * (this.model.config.seasonLengths[0] as number) + 10;
    checkPositive('threshold', this.threshold);
    checkCount('warmup', this.warmup, 2);
  }

  get count(): number {
    return this.model.count;
  }

  get warm(): boolean {
    return this.model.count >= this.warmup;
  }

  /** x − ŷ of the last point (0 during warm-up) and the standard error it was judged by. */
  get lastResidual(): { residual: number; se: number } {
    return { residual: this.#last, se: this.#lastSe };
  }

  update(x: number): DetectorResult {
    checkX(x, 'SeasonalResidual.update');
    if (!this.warm) {
      this.model.update(x);
      this.#last = 0;
      this.#lastSe = 0;
      return { score: 0, flag: false, detail: `seasonal: warming up (${this.model.count}/${this.warmup})` };
    }
    const yhat = this.model.mean(1);
    const se = scaleFloor(this.model.stdError(1), yhat);
    const r = x - yhat;
    const z = Math.abs(r) / se;
    const flag = z >= this.threshold;
    this.#last = r;
    this.#lastSe = se;
    const lim = this.threshold * se;
    this.model.update(flag ? Math.min(yhat + lim, Math.max(yhat - lim, x)) : x);
    return { score: calibrate(z, this.threshold), flag, detail: `seasonal residual ${fmt(r)} = ${fmt(z)} se (expected ${fmt(yhat)}, threshold ${fmt(this.threshold)})` };
  }
}

// Holt's linear method (double exponential smoothing), error-correction form:
//   e = y - (l + b);  l <- l + b + alpha·e;  b <- b + beta·e
// (beta here is the ETS(A,A,N) beta, i.e. alpha × the classical trend smoothing factor.)
// h-step variance: sigma² · (1 + Σ_{j=1}^{h-1} (alpha + j·beta)²)  (Hyndman et al., class 1 ETS).
import {
  checkHorizon, checkLevel, checkQuantile, checkUnit, checkValue, ewVariance, makePoint, normalQuantile, num,
  type ForecastPoint, type Forecaster, type ForecasterJSON,
} from './common.ts';

export interface HoltConfig {
  /** Level smoothing, (0, 1]. Default 0.3. */
  alpha?: number;
  /** Trend smoothing (ETS form), [0, 1]. Default 0.05. */
  beta?: number;
  /** Prediction-interval level, (0, 1). Default 0.95. */
  level?: number;
  /** Forgetting rate of the residual variance, (0, 1]. Default 0.02. */
  varianceAlpha?: number;
  /** Clamp forecasts and bounds at this floor (e.g. 0 for arrival rates). Default: none. */
  floor?: number;
}

interface HoltResolved {
  alpha: number;
  beta: number;
  level: number;
  varianceAlpha: number;
  floor: number | undefined;
}

export function resolveHoltConfig(c: HoltConfig = {}): HoltResolved {
  const r: HoltResolved = {
    alpha: c.alpha ?? 0.3,
    beta: c.beta ?? 0.05,
    level: c.level ?? 0.95,
    varianceAlpha: c.varianceAlpha ?? 0.02,
    floor: c.floor,
  };
  checkUnit('alpha', r.alpha, 0, 1, true);
  checkUnit('beta', r.beta, 0, 1);
  checkLevel(r.level);
  checkUnit('varianceAlpha', r.varianceAlpha, 0, 1, true);
  if (r.floor !== undefined && !Number.isFinite(r.floor)) throw new RangeError(`floor must be a finite number, got ${String(r.floor)}`);
  return r;
}

export class Holt implements Forecaster {
  readonly config: Readonly<HoltResolved>;
  #n = 0;
  #level = 0;
  #trend = 0;
  #sigma2 = 0;
  #nErr = 0;

  constructor(config: HoltConfig = {}) {
    this.config = Object.freeze(resolveHoltConfig(config));
  }

  get count(): number {
    return this.#n;
  }

  /** Current smoothed level and trend (per step). */
  get components(): { level: number; trend: number } {
    return { level: this.#level, trend: this.#trend };
  }

  /** Running one-step residual variance. */
  get residualVariance(): number {
    return this.#sigma2;
  }

  update(value: number): void {
    checkValue(value, 'Holt.update');
    if (this.#n === 0) {
      this.#level = value;
      this.#trend = 0;
    } else if (this.#n === 1) {
      const e = value - this.#level;
      this.#nErr++;
      this.#sigma2 = ewVariance(this.#sigma2, this.#nErr, e, this.config.varianceAlpha);
      this.#trend = value - this.#level;
      this.#level = value;
    } else {
      const f = this.#level + this.#trend;
      const e = value - f;
      this.#nErr++;
      this.#sigma2 = ewVariance(this.#sigma2, this.#nErr, e, this.config.varianceAlpha);
      this.#level = f + this.config.alpha * e;
      this.#trend = this.#trend + this.config.beta * e;
    }
    this.#n++;
  }

  /** Point forecast h steps ahead (h >= 1; h = 0 is the current level). */
  mean(h: number): number {
    if (this.#n === 0) throw new RangeError('Holt: no observations yet, cannot forecast');
    return this.#level + h * this.#trend;
  }

  stdError(h: number): number {
    checkHorizon(h, 'Holt.stdError');
    const { alpha, beta } = this.config;
    let s = 1;
    for (let j = 1; j < h; j++) s += (alpha + j * beta) ** 2;
    return Math.sqrt(this.#sigma2 * (h >= 1 ? s : 0));
  }

  forecast(h: number): ForecastPoint[] {
    checkHorizon(h, 'Holt.forecast');
    const z = normalQuantile(0.5 + this.config.level / 2);
    const { alpha, beta } = this.config;
    const out: ForecastPoint[] = [];
    let s = 0;
    for (let k = 1; k <= h; k++) {
      s += k === 1 ? 1 : (alpha + (k - 1) * beta) ** 2;
      out.push(makePoint(this.mean(k), Math.sqrt(this.#sigma2 * s), z, this.config.floor));
    }
    return out;
  }

  quantile(h: number, q: number): number {
    checkHorizon(h, 'Holt.quantile');
    checkQuantile(q);
    const v = this.mean(h) + normalQuantile(q) * this.stdError(h);
    return this.config.floor === undefined ? v : Math.max(this.config.floor, v);
  }

  toJSON(): ForecasterJSON {
    return {
      kind: 'holt', v: 1,
      config: { ...this.config, floor: this.config.floor ?? null },
      state: { n: this.#n, level: this.#level, trend: this.#trend, sigma2: this.#sigma2, nErr: this.#nErr },
    };
  }

  static fromJSON(json: ForecasterJSON): Holt {
    if (json?.kind !== 'holt' || json.v !== 1) throw new RangeError(`Holt.fromJSON: expected kind "holt" v1, got ${String(json?.kind)} v${String(json?.v)}`);
    const c = json.config;
    const h = new Holt({
      alpha: num(c, 'alpha', 'Holt.fromJSON'), beta: num(c, 'beta', 'Holt.fromJSON'), level: num(c, 'level', 'Holt.fromJSON'),
      varianceAlpha: num(c, 'varianceAlpha', 'Holt.fromJSON'), floor: c.floor == null ? undefined : num(c, 'floor', 'Holt.fromJSON'),
    });
    const s = json.state;
    h.#n = num(s, 'n', 'Holt.fromJSON');
    h.#level = num(s, 'level', 'Holt.fromJSON');
    h.#trend = num(s, 'trend', 'Holt.fromJSON');
    h.#sigma2 = num(s, 'sigma2', 'Holt.fromJSON');
    h.#nErr = num(s, 'nErr', 'Holt.fromJSON');
    return h;
  }
}

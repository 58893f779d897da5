// Additive Holt-Winters with one or more seasons (e.g. daily and weekly), error-correction form:
//   ŷ = l + b + Σ_k s_k[t mod m_k];  e = y - ŷ
//   l <- l + b + alpha·e;  b <- b + beta·e;  s_k[t mod m_k] <- s_k[t mod m_k] + gamma_k·e
// Multiple seasons are a SUM of seasonal components (Taylor's double-seasonal Holt-Winters,
// additive): the shortest season carries the pattern of an average period, each longer season
// the deviation from it (weekly = "how this weekday differs from an average day").
//
// Initialization without a full season of data does not explode: until the shortest season has
// been seen once, the model IS Holt (no seasonal terms). When the first m_1 points are in, the
// season is initialized from them (level = their mean, trend 0, indices = deviations from the
// mean: a line fitted through one period of a sinusoid has a badly biased slope). When 2·m_1
// points are in, level, trend and indices are re-estimated from both periods (trend = difference
// of the period means / m_1, indices = average detrended deviation — the classical heuristic).
// A longer season m_k contributes nothing until m_k points are in; it is then initialized from
// its buffer (detrended with the current trend, minus the per-phase means of each shorter
// season). Buffers are dropped after initialization; each point costs O(#seasons), the one-off
// initializations O(m_k).
//
// h-step variance: sigma² · (1 + Σ_{j=1}^{h-1} c_j²), c_j = alpha + j·beta + Σ_k gamma_k·[m_k | j]
// (Hyndman et al., ETS(A,A,A)), with sigma² the running one-step residual variance.
import {
  checkHorizon, checkLevel, checkQuantile, checkUnit, checkValue, ewVariance, makePoint, normalQuantile, num, numArray,
  type ForecastPoint, type Forecaster, type ForecasterJSON,
} from './common.ts';

export interface HoltWintersConfig {
  /** Season length(s) in steps, e.g. [24, 168] for hourly data with daily and weekly seasons. */
  seasonLengths?: number[];
  /** Shorthand for a single season. */
  seasonLength?: number;
  /** Level smoothing, (0, 1]. Default 0.3. */
  alpha?: number;
  /** Trend smoothing (ETS form), [0, 1]. Default 0.02. */
  beta?: number;
  /** Seasonal smoothing, one for all seasons or one per season, [0, 1]. Default 0.15. */
  gamma?: number | number[];
  /** Prediction-interval level, (0, 1). Default 0.95. */
  level?: number;
  /** Forgetting rate of the residual variance, (0, 1]. Default 0.02. */
  varianceAlpha?: number;
  /** Clamp forecasts and bounds at this floor (e.g. 0 for arrival rates). Default: none. */
  floor?: number;
}

interface HWResolved {
  seasonLengths: number[];
  alpha: number;
  beta: number;
  gamma: number[];
  level: number;
  varianceAlpha: number;
  floor: number | undefined;
}

function resolve(c: HoltWintersConfig): HWResolved {
  const seasons = c.seasonLengths ?? (c.seasonLength !== undefined ? [c.seasonLength] : undefined);
  if (!seasons || seasons.length === 0) throw new RangeError('HoltWinters: seasonLengths (or seasonLength) is required');
  for (const m of seasons) {
    if (!Number.isInteger(m) || m < 2) throw new RangeError(`HoltWinters: season length must be a whole number >= 2, got ${String(m)}`);
  }
  const sorted = [...new Set(seasons)].sort((a, b) => a - b);
  if (sorted.length !== seasons.length) throw new RangeError(`HoltWinters: duplicate season lengths in [${seasons.join(', ')}]`);
  const g = c.gamma ?? 0.15;
  let gamma: number[];
  if (Array.isArray(g)) {
    if (g.length !== seasons.length) throw new RangeError(`HoltWinters: gamma has ${g.length} entries for ${seasons.length} seasons`);
    // keep gamma aligned with the sorted seasons
    gamma = sorted.map((m) => g[seasons.indexOf(m)] as number);
  } else {
    gamma = sorted.map(() => g);
  }
  const r: HWResolved = {
    seasonLengths: sorted, alpha: c.alpha ?? 0.3, beta: c.beta ?? 0.02, gamma,
    level: c.level ?? 0.95, varianceAlpha: c.varianceAlpha ?? 0.02, floor: c.floor,
  };
  checkUnit('alpha', r.alpha, 0, 1, true);
  checkUnit('beta', r.beta, 0, 1);
  for (const x of r.gamma) checkUnit('gamma', x, 0, 1);
  checkLevel(r.level);
  checkUnit('varianceAlpha', r.varianceAlpha, 0, 1, true);
  if (r.floor !== undefined && !Number.isFinite(r.floor)) throw new RangeError(`floor must be a finite number, got ${String(r.floor)}`);
  return r;
}

export class HoltWinters implements Forecaster {
  readonly config: Readonly<HWResolved>;
  #n = 0;
  #level = 0;
  #trend = 0;
  #sigma2 = 0;
  #nErr = 0;
  /** seasonal indices per season; empty until that season is initialized */
  #seasons: number[][];
  /** first m_k observations per season, kept only until initialization */
  #buffers: number[][];
  /** the shortest season has had its two-period re-estimate */
  #primaryDone = false;

  constructor(config: HoltWintersConfig) {
    this.config = Object.freeze(resolve(config));
    this.#seasons = this.config.seasonLengths.map(() => []);
    this.#buffers = this.config.seasonLengths.map(() => []);
  }

  get count(): number {
    return this.#n;
  }

  /** True once the shortest season has been seen (before that the model forecasts like Holt). */
  get seasonal(): boolean {
    return (this.#seasons[0]?.length ?? 0) > 0;
  }

  get components(): { level: number; trend: number; seasons: number[][] } {
    return { level: this.#level, trend: this.#trend, seasons: this.#seasons.map((s) => s.slice()) };
  }

  get residualVariance(): number {
    return this.#sigma2;
  }

  #seasonalAt(t: number): number {
    let s = 0;
    const ms = this.config.seasonLengths;
    for (let k = 0; k < ms.length; k++) {
      const arr = this.#seasons[k] as number[];
      if (arr.length) s += arr[t % (ms[k] as number)] as number;
    }
    return s;
  }

  update(value: number): void {
    checkValue(value, 'HoltWinters.update');
    const t = this.#n;
    const { alpha, beta, gamma, varianceAlpha, seasonLengths } = this.config;
    if (t === 0) {
      this.#level = value;
      this.#trend = 0;
    } else if (t === 1 && !this.seasonal) {
      const e = value - this.#level;
      this.#nErr++;
      this.#sigma2 = ewVariance(this.#sigma2, this.#nErr, e, varianceAlpha);
      this.#trend = e;
      this.#level = value;
    } else {
      const f = this.#level + this.#trend + this.#seasonalAt(t);
      const e = value - f;
      this.#nErr++;
      this.#sigma2 = ewVariance(this.#sigma2, this.#nErr, e, varianceAlpha);
      this.#level = this.#level + this.#trend + alpha * e;
      this.#trend += beta * e;
      for (let k = 0; k < seasonLengths.length; k++) {
        const arr = this.#seasons[k] as number[];
        if (arr.length) arr[t % (seasonLengths[k] as number)] = (arr[t % (seasonLengths[k] as number)] as number) + (gamma[k] as number) * e;
      }
    }
    for (let k = 0; k < seasonLengths.length; k++) {
      const buf = this.#buffers[k] as number[];
      const m = seasonLengths[k] as number;
      if (k === 0 ? this.#primaryDone : (this.#seasons[k] as number[]).length > 0) continue;
      buf.push(value);
      if (k === 0 && buf.length === m) this.#initPrimaryOnePeriod();
      else if (k === 0 && buf.length === 2 * m) this.#initPrimaryTwoPeriods();
      else if (k > 0 && buf.length === m) this.#initLonger(k);
    }
    this.#n++;
  }

  #initPrimaryOnePeriod(): void {
    const buf = this.#buffers[0] as number[];
    const mean = buf.reduce((s, v) => s + v, 0) / buf.length;
    this.#level = mean;
    this.#trend = 0;
    this.#seasons[0] = buf.map((v) => v - mean);
    // restart the residual variance so Holt's in-season errors don't inflate the intervals for long
    this.#sigma2 = 0;
    this.#nErr = 0;
  }

  #initPrimaryTwoPeriods(): void {
    const buf = this.#buffers[0] as number[];
    const m = this.config.seasonLengths[0] as number;
    let m1 = 0;
    let m2 = 0;
    for (let i = 0; i < m; i++) { m1 += buf[i] as number; m2 += buf[i + m] as number; }
    m1 /= m;
    m2 /= m;
    const b = (m2 - m1) / m;
    const c = (m - 1) / 2;
    const s = new Array<number>(m);
    for (let i = 0; i < m; i++) s[i] = ((buf[i] as number) - (m1 + b * (i - c)) + (buf[i + m] as number) - (m2 + b * (i - c))) / 2;
    const mean = s.reduce((x, v) => x + v, 0) / m;
    this.#seasons[0] = s.map((v) => v - mean);
    this.#trend = b;
    this.#level = m2 + b * c;
    this.#buffers[0] = [];
    this.#primaryDone = true;
  }

  #initLonger(k: number): void {
    const buf = this.#buffers[k] as number[];
    const m = buf.length;
    const b = this.#trend;
    const r = buf.map((y, i) => y - b * i);
    for (let j = 0; j < k; j++) {
      const mj = this.config.seasonLengths[j] as number;
      const sum = new Array<number>(mj).fill(0);
      const cnt = new Array<number>(mj).fill(0);
      for (let i = 0; i < m; i++) {
        sum[i % mj] = (sum[i % mj] as number) + (r[i] as number);
        cnt[i % mj] = (cnt[i % mj] as number) + 1;
      }
      for (let i = 0; i < m; i++) r[i] = (r[i] as number) - (sum[i % mj] as number) / (cnt[i % mj] as number);
    }
    const mean = r.reduce((s, v) => s + v, 0) / m;
    this.#seasons[k] = r.map((v) => v - mean);
    this.#buffers[k] = [];
  }

  mean(h: number): number {
    if (this.#n === 0) throw new RangeError('HoltWinters: no observations yet, cannot forecast');
    return this.#level + h * this.#trend + (h >= 1 ? this.#seasonalAt(this.#n + h - 1) : 0);
  }

  #c(j: number): number {
    const { alpha, beta, gamma, seasonLengths } = this.config;
    let c = alpha + j * beta;
    for (let k = 0; k < seasonLengths.length; k++) {
      if ((this.#seasons[k] as number[]).length && j % (seasonLengths[k] as number) === 0) c += gamma[k] as number;
    }
    return c;
  }

  stdError(h: number): number {
    checkHorizon(h, 'HoltWinters.stdError');
    if (h === 0) return 0;
    let s = 1;
    for (let j = 1; j < h; j++) s += this.#c(j) ** 2;
    return Math.sqrt(this.#sigma2 * s);
  }

  forecast(h: number): ForecastPoint[] {
    checkHorizon(h, 'HoltWinters.forecast');
    const z = normalQuantile(0.5 + this.config.level / 2);
    const out: ForecastPoint[] = [];
    let s = 0;
    for (let k = 1; k <= h; k++) {
      s += k === 1 ? 1 : this.#c(k - 1) ** 2;
      out.push(makePoint(this.mean(k), Math.sqrt(this.#sigma2 * s), z, this.config.floor));
    }
    return out;
  }

  quantile(h: number, q: number): number {
    checkHorizon(h, 'HoltWinters.quantile');
    checkQuantile(q);
    const v = this.mean(h) + normalQuantile(q) * this.stdError(h);
    return this.config.floor === undefined ? v : Math.max(this.config.floor, v);
  }

  toJSON(): ForecasterJSON {
    const c = this.config;
    return {
      kind: 'holt-winters', v: 1,
      config: { seasonLengths: c.seasonLengths.slice(), alpha: c.alpha, beta: c.beta, gamma: c.gamma.slice(), level: c.level, varianceAlpha: c.varianceAlpha, floor: c.floor ?? null },
      state: {
        n: this.#n, level: this.#level, trend: this.#trend, sigma2: this.#sigma2, nErr: this.#nErr,
        seasons: this.#seasons.map((s) => s.slice()), buffers: this.#buffers.map((b) => b.slice()), primaryDone: this.#primaryDone,
      },
    };
  }

  static fromJSON(json: ForecasterJSON): HoltWinters {
    const W = 'HoltWinters.fromJSON';
    if (json?.kind !== 'holt-winters' || json.v !== 1) throw new RangeError(`${W}: expected kind "holt-winters" v1, got ${String(json?.kind)} v${String(json?.v)}`);
    const c = json.config;
    const hw = new HoltWinters({
      seasonLengths: numArray(c, 'seasonLengths', W), alpha: num(c, 'alpha', W), beta: num(c, 'beta', W), gamma: numArray(c, 'gamma', W),
      level: num(c, 'level', W), varianceAlpha: num(c, 'varianceAlpha', W), floor: c.floor == null ? undefined : num(c, 'floor', W),
    });
    const s = json.state;
    hw.#n = num(s, 'n', W);
    hw.#level = num(s, 'level', W);
    hw.#trend = num(s, 'trend', W);
    hw.#sigma2 = num(s, 'sigma2', W);
    hw.#nErr = num(s, 'nErr', W);
    hw.#primaryDone = s.primaryDone === true;
    const seasons = s.seasons;
    const buffers = s.buffers;
    const k = hw.config.seasonLengths.length;
    if (!Array.isArray(seasons) || seasons.length !== k || !Array.isArray(buffers) || buffers.length !== k) {
      throw new RangeError(`${W}: state.seasons and state.buffers must have ${k} entries`);
    }
    hw.#seasons = seasons.map((_, i) => numArray(seasons as unknown as Record<string, unknown>, String(i), W));
    hw.#buffers = buffers.map((_, i) => numArray(buffers as unknown as Record<string, unknown>, String(i), W));
    hw.#seasons.forEach((arr, i) => {
      if (arr.length !== 0 && arr.length !== hw.config.seasonLengths[i]) throw new RangeError(`${W}: season ${i} has ${arr.length} indices, expected ${hw.config.seasonLengths[i]}`);
    });
    return hw;
  }
}

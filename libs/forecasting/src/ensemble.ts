// Ensemble / selector over member forecasters, weighted by recent one-step error.
// Each member's one-step-ahead error is tracked as an exponentially weighted MSE (rate
// errorAlpha, plain average for the first points); weight_i ∝ 1 / (mse_i + ε), normalized.
// mode 'weighted' (default): forecast is the weighted mixture — mean Σ w·μ, variance
//   Σ w·(σ² + (μ - mean)²), interval by normal approximation at `level`.
// mode 'best': forecast is the leading member's own forecast (a selector).
// `leader` names the member with the largest weight.
import {
  checkHorizon, checkLevel, checkQuantile, checkUnit, checkValue, makePoint, normalQuantile, num,
  type ForecastPoint, type Forecaster, type ForecasterJSON,
} from './common.ts';
import { Holt } from './holt.ts';
import { HoltWinters } from './holt-winters.ts';

export interface EnsembleMember {
  name: string;
  forecaster: Forecaster;
}

export interface EnsembleConfig {
  /** Forgetting rate of each member's error, (0, 1]. Default 0.1. */
  errorAlpha?: number;
  /** 'weighted' mixture (default) or 'best' member only. */
  mode?: 'weighted' | 'best';
  /** Prediction-interval level for the mixture, (0, 1). Default 0.95. */
  level?: number;
  /** Clamp forecasts and bounds at this floor. Default: none. */
  floor?: number;
}

interface EnsembleResolved {
  errorAlpha: number;
  mode: 'weighted' | 'best';
  level: number;
  floor: number | undefined;
}

export class Ensemble implements Forecaster {
  readonly config: Readonly<EnsembleResolved>;
  readonly members: readonly EnsembleMember[];
  #mse: number[];
  #nErr: number[];
  #n = 0;

  constructor(members: EnsembleMember[], config: EnsembleConfig = {}) {
    if (!Array.isArray(members) || members.length === 0) throw new RangeError('Ensemble: at least one member is required');
    const names = new Set<string>();
    for (const m of members) {
      if (typeof m?.name !== 'string' || !m.name) throw new RangeError('Ensemble: every member needs a non-empty name');
      if (names.has(m.name)) throw new RangeError(`Ensemble: duplicate member name "${m.name}"`);
      names.add(m.name);
    }
    const r: EnsembleResolved = { errorAlpha: config.errorAlpha ?? 0.1, mode: config.mode ?? 'weighted', level: config.level ?? 0.95, floor: config.floor };
    checkUnit('errorAlpha', r.errorAlpha, 0, 1, true);
    checkLevel(r.level);
    if (r.mode !== 'weighted' && r.mode !== 'best') throw new RangeError(`Ensemble: mode must be "weighted" or "best", got ${String(r.mode)}`);
    this.config = Object.freeze(r);
    this.members = Object.freeze(members.map((m) => ({ name: m.name, forecaster: m.forecaster })));
    this.#mse = members.map(() => 0);
    this.#nErr = members.map(() => 0);
  }

  get count(): number {
    return this.#n;
  }

  update(value: number): void {
    checkValue(value, 'Ensemble.update');
    const a = this.config.errorAlpha;
    this.members.forEach((m, i) => {
      if (m.forecaster.count > 0) {
        const e = value - m.forecaster.mean(1);
        const n = ++(this.#nErr[i] as number);
        const w = Math.max(1 / n, a);
        this.#mse[i] = (this.#mse[i] as number) + w * (e * e - (this.#mse[i] as number));
        this.#nErr[i] = n;
      }
      m.forecaster.update(value);
    });
    this.#n++;
  }

  /** Member weights (sum 1), in member order. Equal until every member has been scored once. */
  weights(): number[] {
    if (this.#nErr.some((n) => n === 0)) return this.members.map(() => 1 / this.members.length);
    const maxMse = Math.max(...this.#mse);
    const eps = 1e-12 * (1 + maxMse);
    const inv = this.#mse.map((m) => 1 / (m + eps));
    const tot = inv.reduce((s, v) => s + v, 0);
    return inv.map((v) => v / tot);
  }

  /** Per-member weight and recent error, plus which member leads. */
  report(): { leader: string; members: Array<{ name: string; weight: number; rmse: number }> } {
    const w = this.weights();
    return { leader: this.leader, members: this.members.map((m, i) => ({ name: m.name, weight: w[i] as number, rmse: Math.sqrt(this.#mse[i] as number) })) };
  }

  get leader(): string {
    const w = this.weights();
    let best = 0;
    for (let i = 1; i < w.length; i++) if ((w[i] as number) > (w[best] as number)) best = i;
    return (this.members[best] as EnsembleMember).name;
  }

  #leaderIndex(): number {
    return this.members.findIndex((m) => m.name === this.leader);
  }

  #moments(h: number): { mean: number; sd: number } {
    if (this.#n === 0) throw new RangeError('Ensemble: no observations yet, cannot forecast');
    if (this.config.mode === 'best') {
      const f = (this.members[this.#leaderIndex()] as EnsembleMember).forecaster;
      return { mean: f.mean(h), sd: f.stdError(h) };
    }
    const w = this.weights();
    const mus = this.members.map((m) => m.forecaster.mean(h));
    const sds = this.members.map((m) => m.forecaster.stdError(h));
    let mean = 0;
    for (let i = 0; i < w.length; i++) mean += (w[i] as number) * (mus[i] as number);
    let v = 0;
    for (let i = 0; i < w.length; i++) v += (w[i] as number) * ((sds[i] as number) ** 2 + ((mus[i] as number) - mean) ** 2);
    return { mean, sd: Math.sqrt(v) };
  }

  mean(h: number): number {
    return this.#moments(h).mean;
  }

  stdError(h: number): number {
    checkHorizon(h, 'Ensemble.stdError');
    return this.#moments(h).sd;
  }

  forecast(h: number): ForecastPoint[] {
    checkHorizon(h, 'Ensemble.forecast');
    const z = normalQuantile(0.5 + this.config.level / 2);
    const out: ForecastPoint[] = [];
    for (let k = 1; k <= h; k++) {
      const { mean, sd } = this.#moments(k);
      out.push(makePoint(mean, sd, z, this.config.floor));
    }
    return out;
  }

  quantile(h: number, q: number): number {
    checkHorizon(h, 'Ensemble.quantile');
    checkQuantile(q);
    const { mean, sd } = this.#moments(h);
    const v = mean + normalQuantile(q) * sd;
    return this.config.floor === undefined ? v : Math.max(this.config.floor, v);
  }

  toJSON(): ForecasterJSON {
    return {
      kind: 'ensemble', v: 1,
      config: { errorAlpha: this.config.errorAlpha, mode: this.config.mode, level: this.config.level, floor: this.config.floor ?? null },
      state: {
        n: this.#n, mse: this.#mse.slice(), nErr: this.#nErr.slice(),
        members: this.members.map((m) => ({ name: m.name, forecaster: m.forecaster.toJSON() })),
      },
    };
  }

  static fromJSON(json: ForecasterJSON): Ensemble {
    const W = 'Ensemble.fromJSON';
    if (json?.kind !== 'ensemble' || json.v !== 1) throw new RangeError(`${W}: expected kind "ensemble" v1, got ${String(json?.kind)} v${String(json?.v)}`);
    const c = json.config;
    const s = json.state;
    const members = s.members;
    if (!Array.isArray(members)) throw new RangeError(`${W}: state.members must be an array`);
    const e = new Ensemble(
      members.map((m: { name: string; forecaster: ForecasterJSON }) => ({ name: m.name, forecaster: forecasterFromJSON(m.forecaster) })),
      { errorAlpha: num(c, 'errorAlpha', W), mode: c.mode as 'weighted' | 'best', level: num(c, 'level', W), floor: c.floor == null ? undefined : num(c, 'floor', W) },
    );
    const mse = s.mse;
    const nErr = s.nErr;
    if (!Array.isArray(mse) || mse.length !== members.length || !Array.isArray(nErr) || nErr.length !== members.length) {
      throw new RangeError(`${W}: state.mse and state.nErr must have one entry per member`);
    }
    e.#mse = mse.map(Number);
    e.#nErr = nErr.map(Number);
    e.#n = num(s, 'n', W);
    return e;
  }
}

/** Rebuild any forecaster of this library from its toJSON() output. */
export function forecasterFromJSON(json: ForecasterJSON): Forecaster {
  switch (json?.kind) {
    case 'holt': return Holt.fromJSON(json);
    case 'holt-winters': return HoltWinters.fromJSON(json);
    case 'ensemble': return Ensemble.fromJSON(json);
    default: throw new RangeError(`forecasterFromJSON: unknown kind ${String(json?.kind)}`);
  }
}

// AnomalyScorer: one score in [0, 1] per point from the detectors.
//
// Combination: the MAX of the detectors' calibrated scores (each is 0.5 exactly at its own alarm
// threshold, see calibrate()), and flag ⇔ score >= threshold (default 0.5, i.e. any detector at
// its threshold). Max rather than noisy-OR: calibrated scores are not independent probabilities,
// and max keeps "0.5 = at a threshold" meaningful; the detail names the detector that decided.
//
// Without seasons: RobustZ (spikes), EwmaControl (small sustained shifts) and Cusum (change
// points) all watch the raw values. With seasonLength(s): a SeasonalResidual detector models the
// season, and the other three watch its residuals (x − ŷ) instead of the raw values, so a normal
// daily peak is not an anomaly for any of them; during the seasonal warm-up the score is 0.
import { Cusum, EwmaControl, RobustZ, SeasonalResidual, type CusumConfig, type EwmaControlConfig, type RobustZConfig, type SeasonalResidualConfig } from './detectors.ts';
import { checkX, fmt, type Detector, type DetectorResult } from './common.ts';

export interface AnomalyScorerConfig {
  robustZ?: RobustZConfig;
  ewma?: EwmaControlConfig;
  cusum?: CusumConfig;
  /** Season length(s) in steps; enables the seasonal baseline. */
  seasonLengths?: number[];
  seasonLength?: number;
  seasonal?: Omit<SeasonalResidualConfig, 'seasonLengths' | 'seasonLength'>;
  /** Combined score at which to flag, (0, 1]. Default 0.5. */
  threshold?: number;
}

export interface AnomalyScore extends DetectorResult {
  /** Each detector's own result, by name (robustZ, ewma, cusum, seasonal). */
  parts: Record<string, DetectorResult>;
}

export class AnomalyScorer {
  readonly threshold: number;
  readonly seasonal: SeasonalResidual | undefined;
  readonly detectors: Readonly<Record<'robustZ' | 'ewma' | 'cusum', Detector>>;
  #n = 0;

  constructor(c: AnomalyScorerConfig = {}) {
    this.threshold = c.threshold ?? 0.5;
    if (!(this.threshold > 0 && this.threshold <= 1)) throw new RangeError(`threshold must be in (0, 1], got ${String(this.threshold)}`);
    const seasons = c.seasonLengths ?? (c.seasonLength !== undefined ? [c.seasonLength] : undefined);
    this.seasonal = seasons && seasons.length ? new SeasonalResidual({ ...c.seasonal, seasonLengths: seasons }) : undefined;
    this.detectors = Object.freeze({ robustZ: new RobustZ(c.robustZ), ewma: new EwmaControl(c.ewma), cusum: new Cusum(c.cusum) });
  }

  get count(): number {
    return this.#n;
  }

  update(x: number): AnomalyScore {
    checkX(x, 'AnomalyScorer.update');
    this.#n++;
    const parts: Record<string, DetectorResult> = {};
    let input = x;
    if (this.seasonal) {
      const warm = this.seasonal.warm;
      parts.seasonal = this.seasonal.update(x);
      if (!warm) return { score: 0, flag: false, detail: parts.seasonal.detail, parts };
      input = this.seasonal.lastResidual.residual;
    }
    for (const [name, d] of Object.entries(this.detectors)) parts[name] = d.update(input);
    let best = '';
    let score = 0;
    for (const [name, r] of Object.entries(parts)) {
      if (r.score > score || !best) { score = r.score; best = name; }
    }
    const top = parts[best] as DetectorResult;
    const flag = score >= this.threshold;
    return { score, flag, detail: `${flag ? 'anomaly' : 'normal'} (score ${fmt(score)}, led by ${top.detail})`, parts };
  }
}

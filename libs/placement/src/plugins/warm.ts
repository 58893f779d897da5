// Score `warm`: an executor that has reported service-time samples for the model has served it
// (session loaded, measured): 100; a cold one (no samples, prediction uses defaults): 0.
import type { ScorePlugin } from '../types.ts';

export function warmScore(weight = 0.5): ScorePlugin {
  return {
    name: 'warm',
    weight,
    normalize: 'none',
    score(_req, cand) {
      const warm = cand.service_times.length > 0;
      return { value: warm ? 100 : 0, detail: warm ? `warm (${cand.service_times.length} service-time samples)` : 'cold (no service-time samples)' };
    },
  };
}

// The default plugin profile. Filter order matters for the nothing-fits diagnosis: structural
// constraints first (region, pool), then transient ones (health, saturation, deadline), so the
// code names the most specific reason (see Placer).
import type { Profile } from './types.ts';
import { regionFilter } from './plugins/region.ts';
import { poolPreferenceFilter } from './plugins/pool-preference.ts';
import { healthyFilter } from './plugins/healthy.ts';
import { queueBoundFilter } from './plugins/queue-bound.ts';
import { deadlineFilter } from './plugins/deadline.ts';
import { completionTimeScore } from './plugins/completion-time.ts';
import { costScore } from './plugins/cost.ts';
import { sloSlackScore } from './plugins/slo-slack.ts';
import { warmScore } from './plugins/warm.ts';

export function defaultProfile(): Profile {
  return {
    filters: [regionFilter(), poolPreferenceFilter(), healthyFilter(), queueBoundFilter(), deadlineFilter()],
    scores: [completionTimeScore(1), costScore(1), sloSlackScore(1), warmScore(0.5)],
  };
}

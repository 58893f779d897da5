// Original file: switchyard/scheduler/v1/scheduler.proto

import type { Pool as _switchyard_executor_v1_Pool, Pool__Output as _switchyard_executor_v1_Pool__Output } from '../../../switchyard/executor/v1/Pool';
import type { PluginVerdict as _switchyard_scheduler_v1_PluginVerdict, PluginVerdict__Output as _switchyard_scheduler_v1_PluginVerdict__Output } from '../../../switchyard/scheduler/v1/PluginVerdict';

export interface CandidateExplanation {
  'executor_id'?: (string);
  'pool'?: (_switchyard_executor_v1_Pool);
  'verdicts'?: (_switchyard_scheduler_v1_PluginVerdict)[];
  'total_score'?: (number | string);
  'feasible'?: (boolean);
  'predicted_ms'?: (number | string);
  'cost_per_request'?: (number | string);
  'chosen'?: (boolean);
}

export interface CandidateExplanation__Output {
  'executor_id': (string);
  'pool': (_switchyard_executor_v1_Pool__Output);
  'verdicts': (_switchyard_scheduler_v1_PluginVerdict__Output)[];
  'total_score': (number);
  'feasible': (boolean);
  'predicted_ms': (number);
  'cost_per_request': (number);
  'chosen': (boolean);
}

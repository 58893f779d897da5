// Original file: switchyard/gateway/v1/gateway.proto

import type { Pool as _switchyard_executor_v1_Pool, Pool__Output as _switchyard_executor_v1_Pool__Output } from '../../../switchyard/executor/v1/Pool';

export interface CandidateSummary {
  'executor_id'?: (string);
  'pool'?: (_switchyard_executor_v1_Pool);
  'cpu_fallback'?: (boolean);
  'predicted_ms'?: (number | string);
  'cost_per_request'?: (number | string);
  'feasible'?: (boolean);
  'chosen'?: (boolean);
  'verdict'?: (string);
  'live_in_flight'?: (number);
  'table_load'?: (number);
  'cost_per_hour'?: (number | string);
}

export interface CandidateSummary__Output {
  'executor_id': (string);
  'pool': (_switchyard_executor_v1_Pool__Output);
  'cpu_fallback': (boolean);
  'predicted_ms': (number);
  'cost_per_request': (number);
  'feasible': (boolean);
  'chosen': (boolean);
  'verdict': (string);
  'live_in_flight': (number);
  'table_load': (number);
  'cost_per_hour': (number);
}

// Original file: switchyard/telemetry/v1/telemetry.proto

import type { BurnRate as _switchyard_telemetry_v1_BurnRate, BurnRate__Output as _switchyard_telemetry_v1_BurnRate__Output } from '../../../switchyard/telemetry/v1/BurnRate';
import type { Long } from '@grpc/proto-loader';

export interface SloStatus {
  'model'?: (string);
  'latency_objective_ms'?: (number | string);
  'target'?: (number | string);
  'attainment'?: (number | string);
  'good'?: (number | string | Long);
  'total'?: (number | string | Long);
  'burn_rates'?: (_switchyard_telemetry_v1_BurnRate)[];
  'error_budget_remaining'?: (number | string);
}

export interface SloStatus__Output {
  'model': (string);
  'latency_objective_ms': (number);
  'target': (number);
  'attainment': (number);
  'good': (number);
  'total': (number);
  'burn_rates': (_switchyard_telemetry_v1_BurnRate__Output)[];
  'error_budget_remaining': (number);
}

// Original file: switchyard/telemetry/v1/telemetry.proto

import type { GroupStats as _switchyard_telemetry_v1_GroupStats, GroupStats__Output as _switchyard_telemetry_v1_GroupStats__Output } from '../../../switchyard/telemetry/v1/GroupStats';
import type { Long } from '@grpc/proto-loader';

export interface Summary {
  'requests'?: (number | string | Long);
  'errors'?: (number | string | Long);
  'p50_ms'?: (number | string);
  'p99_ms'?: (number | string);
  'by_pool'?: (_switchyard_telemetry_v1_GroupStats)[];
  'by_executor'?: (_switchyard_telemetry_v1_GroupStats)[];
  'by_model'?: (_switchyard_telemetry_v1_GroupStats)[];
  'executors_seen'?: (number);
  'since_ms'?: (number | string | Long);
}

export interface Summary__Output {
  'requests': (number);
  'errors': (number);
  'p50_ms': (number);
  'p99_ms': (number);
  'by_pool': (_switchyard_telemetry_v1_GroupStats__Output)[];
  'by_executor': (_switchyard_telemetry_v1_GroupStats__Output)[];
  'by_model': (_switchyard_telemetry_v1_GroupStats__Output)[];
  'executors_seen': (number);
  'since_ms': (number);
}

// Original file: switchyard/scheduler/v1/scheduler.proto

import type { Pool as _switchyard_executor_v1_Pool, Pool__Output as _switchyard_executor_v1_Pool__Output } from '../../../switchyard/executor/v1/Pool';
import type { Long } from '@grpc/proto-loader';

export interface PoolScaling {
  'pool'?: (_switchyard_executor_v1_Pool);
  'current'?: (number);
  'ready'?: (number);
  'desired'?: (number);
  'observed_rate'?: (number | string);
  'forecast_rate'?: (number | string);
  'service_rate'?: (number | string);
  'reason'?: (string);
  'supervised'?: (string)[];
  'min_replicas'?: (number);
  'max_replicas'?: (number);
  'decided_at_ms'?: (number | string | Long);
}

export interface PoolScaling__Output {
  'pool': (_switchyard_executor_v1_Pool__Output);
  'current': (number);
  'ready': (number);
  'desired': (number);
  'observed_rate': (number);
  'forecast_rate': (number);
  'service_rate': (number);
  'reason': (string);
  'supervised': (string)[];
  'min_replicas': (number);
  'max_replicas': (number);
  'decided_at_ms': (number);
}

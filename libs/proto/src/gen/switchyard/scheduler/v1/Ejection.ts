// Original file: switchyard/scheduler/v1/scheduler.proto

import type { Pool as _switchyard_executor_v1_Pool, Pool__Output as _switchyard_executor_v1_Pool__Output } from '../../../switchyard/executor/v1/Pool';
import type { Long } from '@grpc/proto-loader';

export interface Ejection {
  'executor_id'?: (string);
  'pool'?: (_switchyard_executor_v1_Pool);
  'reason'?: (string);
  'ejected_at_ms'?: (number | string | Long);
  'until_ms'?: (number | string | Long);
  'count'?: (number);
}

export interface Ejection__Output {
  'executor_id': (string);
  'pool': (_switchyard_executor_v1_Pool__Output);
  'reason': (string);
  'ejected_at_ms': (number);
  'until_ms': (number);
  'count': (number);
}

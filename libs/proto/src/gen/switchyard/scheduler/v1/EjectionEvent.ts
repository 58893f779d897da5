// Original file: switchyard/scheduler/v1/scheduler.proto

import type { Pool as _switchyard_executor_v1_Pool, Pool__Output as _switchyard_executor_v1_Pool__Output } from '../../../switchyard/executor/v1/Pool';
import type { Long } from '@grpc/proto-loader';

export interface EjectionEvent {
  'executor_id'?: (string);
  'pool'?: (_switchyard_executor_v1_Pool);
  'action'?: (string);
  'reason'?: (string);
  'until_ms'?: (number | string | Long);
  'at_ms'?: (number | string | Long);
}

export interface EjectionEvent__Output {
  'executor_id': (string);
  'pool': (_switchyard_executor_v1_Pool__Output);
  'action': (string);
  'reason': (string);
  'until_ms': (number);
  'at_ms': (number);
}

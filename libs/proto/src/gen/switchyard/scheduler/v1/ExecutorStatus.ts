// Original file: switchyard/scheduler/v1/scheduler.proto

import type { Heartbeat as _switchyard_executor_v1_Heartbeat, Heartbeat__Output as _switchyard_executor_v1_Heartbeat__Output } from '../../../switchyard/executor/v1/Heartbeat';
import type { Long } from '@grpc/proto-loader';

export interface ExecutorStatus {
  'heartbeat'?: (_switchyard_executor_v1_Heartbeat | null);
  'last_seen_ms'?: (number | string | Long);
  'state'?: (string);
}

export interface ExecutorStatus__Output {
  'heartbeat': (_switchyard_executor_v1_Heartbeat__Output | null);
  'last_seen_ms': (number);
  'state': (string);
}

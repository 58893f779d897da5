// Original file: switchyard/scheduler/v1/scheduler.proto

import type { ExecutorStatus as _switchyard_scheduler_v1_ExecutorStatus, ExecutorStatus__Output as _switchyard_scheduler_v1_ExecutorStatus__Output } from '../../../switchyard/scheduler/v1/ExecutorStatus';
import type { Ejection as _switchyard_scheduler_v1_Ejection, Ejection__Output as _switchyard_scheduler_v1_Ejection__Output } from '../../../switchyard/scheduler/v1/Ejection';
import type { PoolScaling as _switchyard_scheduler_v1_PoolScaling, PoolScaling__Output as _switchyard_scheduler_v1_PoolScaling__Output } from '../../../switchyard/scheduler/v1/PoolScaling';
import type { CanaryRollback as _switchyard_scheduler_v1_CanaryRollback, CanaryRollback__Output as _switchyard_scheduler_v1_CanaryRollback__Output } from '../../../switchyard/scheduler/v1/CanaryRollback';
import type { Long } from '@grpc/proto-loader';

export interface ClusterStatusResponse {
  'executors'?: (_switchyard_scheduler_v1_ExecutorStatus)[];
  'table_version'?: (number | string | Long);
  'now_ms'?: (number | string | Long);
  'ejections'?: (_switchyard_scheduler_v1_Ejection)[];
  'pools'?: (_switchyard_scheduler_v1_PoolScaling)[];
  'rollbacks'?: (_switchyard_scheduler_v1_CanaryRollback)[];
}

export interface ClusterStatusResponse__Output {
  'executors': (_switchyard_scheduler_v1_ExecutorStatus__Output)[];
  'table_version': (number);
  'now_ms': (number);
  'ejections': (_switchyard_scheduler_v1_Ejection__Output)[];
  'pools': (_switchyard_scheduler_v1_PoolScaling__Output)[];
  'rollbacks': (_switchyard_scheduler_v1_CanaryRollback__Output)[];
}

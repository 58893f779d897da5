// Original file: switchyard/scheduler/v1/scheduler.proto

import type { PoolScaling as _switchyard_scheduler_v1_PoolScaling, PoolScaling__Output as _switchyard_scheduler_v1_PoolScaling__Output } from '../../../switchyard/scheduler/v1/PoolScaling';

export interface ScalingEvent {
  'decision'?: (_switchyard_scheduler_v1_PoolScaling | null);
  'action'?: (string);
}

export interface ScalingEvent__Output {
  'decision': (_switchyard_scheduler_v1_PoolScaling__Output | null);
  'action': (string);
}

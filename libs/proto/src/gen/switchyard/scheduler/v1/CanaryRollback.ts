// Original file: switchyard/scheduler/v1/scheduler.proto

import type { Long } from '@grpc/proto-loader';

export interface CanaryRollback {
  'model_name'?: (string);
  'canary_version'?: (string);
  'stable_version'?: (string);
  'executor_ids'?: (string)[];
  'reason'?: (string);
  'at_ms'?: (number | string | Long);
}

export interface CanaryRollback__Output {
  'model_name': (string);
  'canary_version': (string);
  'stable_version': (string);
  'executor_ids': (string)[];
  'reason': (string);
  'at_ms': (number);
}

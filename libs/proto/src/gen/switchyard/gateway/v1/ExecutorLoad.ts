// Original file: switchyard/gateway/v1/gateway.proto

import type { Long } from '@grpc/proto-loader';

export interface ExecutorLoad {
  'executor_id'?: (string);
  'in_flight'?: (number);
  'completed'?: (number | string | Long);
  'failed'?: (number | string | Long);
}

export interface ExecutorLoad__Output {
  'executor_id': (string);
  'in_flight': (number);
  'completed': (number);
  'failed': (number);
}

// Original file: switchyard/scheduler/v1/scheduler.proto

import type { Long } from '@grpc/proto-loader';

export interface PlaceRequest {
  'model_name'?: (string);
  'model_version'?: (string);
  'region'?: (string);
  'pool_preference'?: (string);
  'deadline_us'?: (number | string | Long);
  'priority'?: (number);
  'exclude_executor_ids'?: (string)[];
}

export interface PlaceRequest__Output {
  'model_name': (string);
  'model_version': (string);
  'region': (string);
  'pool_preference': (string);
  'deadline_us': (number);
  'priority': (number);
  'exclude_executor_ids': (string)[];
}

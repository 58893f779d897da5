// Original file: switchyard/executor/v1/executor.proto

import type { ServiceTime as _switchyard_executor_v1_ServiceTime, ServiceTime__Output as _switchyard_executor_v1_ServiceTime__Output } from '../../../switchyard/executor/v1/ServiceTime';
import type { Long } from '@grpc/proto-loader';

export interface ModelState {
  'name'?: (string);
  'version'?: (string);
  'state'?: (string);
  'reason'?: (string);
  'queue_depth'?: (number);
  'in_flight'?: (number);
  'service_times'?: (_switchyard_executor_v1_ServiceTime)[];
  'throughput_rps'?: (number | string);
  'success_count'?: (number | string | Long);
  'error_count'?: (number | string | Long);
  'max_batch_size'?: (number);
  'variant'?: (string);
}

export interface ModelState__Output {
  'name': (string);
  'version': (string);
  'state': (string);
  'reason': (string);
  'queue_depth': (number);
  'in_flight': (number);
  'service_times': (_switchyard_executor_v1_ServiceTime__Output)[];
  'throughput_rps': (number);
  'success_count': (number);
  'error_count': (number);
  'max_batch_size': (number);
  'variant': (string);
}

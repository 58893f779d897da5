// Original file: switchyard/scheduler/v1/scheduler.proto

import type { Pool as _switchyard_executor_v1_Pool, Pool__Output as _switchyard_executor_v1_Pool__Output } from '../../../switchyard/executor/v1/Pool';
import type { ServiceTime as _switchyard_executor_v1_ServiceTime, ServiceTime__Output as _switchyard_executor_v1_ServiceTime__Output } from '../../../switchyard/executor/v1/ServiceTime';

export interface Candidate {
  'executor_id'?: (string);
  'address'?: (string);
  'pool'?: (_switchyard_executor_v1_Pool);
  'region'?: (string);
  'spiffe_id'?: (string);
  'queue_depth'?: (number);
  'in_flight'?: (number);
  'service_times'?: (_switchyard_executor_v1_ServiceTime)[];
  'cost_per_hour'?: (number | string);
  'healthy'?: (boolean);
  'cpu_fallback'?: (boolean);
  'max_batch_size'?: (number);
}

export interface Candidate__Output {
  'executor_id': (string);
  'address': (string);
  'pool': (_switchyard_executor_v1_Pool__Output);
  'region': (string);
  'spiffe_id': (string);
  'queue_depth': (number);
  'in_flight': (number);
  'service_times': (_switchyard_executor_v1_ServiceTime__Output)[];
  'cost_per_hour': (number);
  'healthy': (boolean);
  'cpu_fallback': (boolean);
  'max_batch_size': (number);
}

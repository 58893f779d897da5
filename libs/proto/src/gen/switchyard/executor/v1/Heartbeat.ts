// Original file: switchyard/executor/v1/executor.proto

import type { Pool as _switchyard_executor_v1_Pool, Pool__Output as _switchyard_executor_v1_Pool__Output } from '../../../switchyard/executor/v1/Pool';
import type { Device as _switchyard_executor_v1_Device, Device__Output as _switchyard_executor_v1_Device__Output } from '../../../switchyard/executor/v1/Device';
import type { ModelState as _switchyard_executor_v1_ModelState, ModelState__Output as _switchyard_executor_v1_ModelState__Output } from '../../../switchyard/executor/v1/ModelState';
import type { Long } from '@grpc/proto-loader';

export interface Heartbeat {
  'executor_id'?: (string);
  'pool'?: (_switchyard_executor_v1_Pool);
  'region'?: (string);
  'address'?: (string);
  'device'?: (_switchyard_executor_v1_Device | null);
  'models'?: (_switchyard_executor_v1_ModelState)[];
  'in_flight'?: (number);
  'queue_depth'?: (number);
  'utilization'?: (number | string);
  'cost_per_hour'?: (number | string);
  'seq'?: (number | string | Long);
  'sent_at_ms'?: (number | string | Long);
  'started_at_ms'?: (number | string | Long);
  'draining'?: (boolean);
  'version'?: (string);
  'spiffe_id'?: (string);
}

export interface Heartbeat__Output {
  'executor_id': (string);
  'pool': (_switchyard_executor_v1_Pool__Output);
  'region': (string);
  'address': (string);
  'device': (_switchyard_executor_v1_Device__Output | null);
  'models': (_switchyard_executor_v1_ModelState__Output)[];
  'in_flight': (number);
  'queue_depth': (number);
  'utilization': (number);
  'cost_per_hour': (number);
  'seq': (number);
  'sent_at_ms': (number);
  'started_at_ms': (number);
  'draining': (boolean);
  'version': (string);
  'spiffe_id': (string);
}

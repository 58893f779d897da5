// Original file: switchyard/scheduler/v1/scheduler.proto

import type { Pool as _switchyard_executor_v1_Pool, Pool__Output as _switchyard_executor_v1_Pool__Output } from '../../../switchyard/executor/v1/Pool';
import type { Long } from '@grpc/proto-loader';

export interface PlaceResponse {
  'placed'?: (boolean);
  'executor_id'?: (string);
  'address'?: (string);
  'pool'?: (_switchyard_executor_v1_Pool);
  'model_version'?: (string);
  'reason'?: (string);
  'table_version'?: (number | string | Long);
  'spiffe_id'?: (string);
  'predicted_ms'?: (number | string);
  'cost_per_request'?: (number | string);
  'code'?: (string);
}

export interface PlaceResponse__Output {
  'placed': (boolean);
  'executor_id': (string);
  'address': (string);
  'pool': (_switchyard_executor_v1_Pool__Output);
  'model_version': (string);
  'reason': (string);
  'table_version': (number);
  'spiffe_id': (string);
  'predicted_ms': (number);
  'cost_per_request': (number);
  'code': (string);
}

// Original file: switchyard/telemetry/v1/telemetry.proto

import type { Pool as _switchyard_executor_v1_Pool, Pool__Output as _switchyard_executor_v1_Pool__Output } from '../../../switchyard/executor/v1/Pool';
import type { Long } from '@grpc/proto-loader';

export interface Outcome {
  'request_id'?: (string);
  'model_name'?: (string);
  'model_version'?: (string);
  'tenant'?: (string);
  'executor_id'?: (string);
  'pool'?: (_switchyard_executor_v1_Pool);
  'region'?: (string);
  'status'?: (string);
  'latency_ms'?: (number | string);
  'finished_at_ms'?: (number | string | Long);
  'attempts'?: (number);
  'trace_id'?: (string);
  'cost'?: (number | string);
  'predicted_ms'?: (number | string);
  'placement_reason'?: (string);
  'table_version'?: (number | string | Long);
  'span_id'?: (string);
}

export interface Outcome__Output {
  'request_id': (string);
  'model_name': (string);
  'model_version': (string);
  'tenant': (string);
  'executor_id': (string);
  'pool': (_switchyard_executor_v1_Pool__Output);
  'region': (string);
  'status': (string);
  'latency_ms': (number);
  'finished_at_ms': (number);
  'attempts': (number);
  'trace_id': (string);
  'cost': (number);
  'predicted_ms': (number);
  'placement_reason': (string);
  'table_version': (number);
  'span_id': (string);
}

// Original file: switchyard/gateway/v1/gateway.proto

import type { Pool as _switchyard_executor_v1_Pool, Pool__Output as _switchyard_executor_v1_Pool__Output } from '../../../switchyard/executor/v1/Pool';
import type { CandidateSummary as _switchyard_gateway_v1_CandidateSummary, CandidateSummary__Output as _switchyard_gateway_v1_CandidateSummary__Output } from '../../../switchyard/gateway/v1/CandidateSummary';
import type { AttemptRecord as _switchyard_gateway_v1_AttemptRecord, AttemptRecord__Output as _switchyard_gateway_v1_AttemptRecord__Output } from '../../../switchyard/gateway/v1/AttemptRecord';
import type { Long } from '@grpc/proto-loader';

export interface DecisionRecord {
  'request_id'?: (string);
  'gateway_id'?: (string);
  'at_ms'?: (number | string | Long);
  'model_name'?: (string);
  'model_version'?: (string);
  'tenant'?: (string);
  'priority'?: (number);
  'pool_preference'?: (string);
  'deadline_ms'?: (number | string);
  'placed'?: (boolean);
  'executor_id'?: (string);
  'pool'?: (_switchyard_executor_v1_Pool);
  'predicted_ms'?: (number | string);
  'cost_per_request'?: (number | string);
  'reason'?: (string);
  'table_version'?: (number | string | Long);
  'candidates'?: (_switchyard_gateway_v1_CandidateSummary)[];
  'status'?: (string);
  'attempts'?: (_switchyard_gateway_v1_AttemptRecord)[];
  'latency_ms'?: (number | string);
  'code'?: (string);
  'ejected'?: (string)[];
  'background'?: (boolean);
  'fair_wait_ms'?: (number | string);
}

export interface DecisionRecord__Output {
  'request_id': (string);
  'gateway_id': (string);
  'at_ms': (number);
  'model_name': (string);
  'model_version': (string);
  'tenant': (string);
  'priority': (number);
  'pool_preference': (string);
  'deadline_ms': (number);
  'placed': (boolean);
  'executor_id': (string);
  'pool': (_switchyard_executor_v1_Pool__Output);
  'predicted_ms': (number);
  'cost_per_request': (number);
  'reason': (string);
  'table_version': (number);
  'candidates': (_switchyard_gateway_v1_CandidateSummary__Output)[];
  'status': (string);
  'attempts': (_switchyard_gateway_v1_AttemptRecord__Output)[];
  'latency_ms': (number);
  'code': (string);
  'ejected': (string)[];
  'background': (boolean);
  'fair_wait_ms': (number);
}

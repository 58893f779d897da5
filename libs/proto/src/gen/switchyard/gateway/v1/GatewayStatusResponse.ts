// Original file: switchyard/gateway/v1/gateway.proto

import type { ExecutorLoad as _switchyard_gateway_v1_ExecutorLoad, ExecutorLoad__Output as _switchyard_gateway_v1_ExecutorLoad__Output } from '../../../switchyard/gateway/v1/ExecutorLoad';
import type { Long } from '@grpc/proto-loader';

export interface GatewayStatusResponse {
  'table_version'?: (number | string | Long);
  'table_age_ms'?: (number | string | Long);
  'executors'?: (_switchyard_gateway_v1_ExecutorLoad)[];
  'gateway_id'?: (string);
}

export interface GatewayStatusResponse__Output {
  'table_version': (number);
  'table_age_ms': (number);
  'executors': (_switchyard_gateway_v1_ExecutorLoad__Output)[];
  'gateway_id': (string);
}

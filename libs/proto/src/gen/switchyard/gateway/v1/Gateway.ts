// Original file: switchyard/gateway/v1/gateway.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DecisionRecord as _switchyard_gateway_v1_DecisionRecord, DecisionRecord__Output as _switchyard_gateway_v1_DecisionRecord__Output } from '../../../switchyard/gateway/v1/DecisionRecord';
import type { ExplainRequestRequest as _switchyard_gateway_v1_ExplainRequestRequest, ExplainRequestRequest__Output as _switchyard_gateway_v1_ExplainRequestRequest__Output } from '../../../switchyard/gateway/v1/ExplainRequestRequest';
import type { GatewayStatusRequest as _switchyard_gateway_v1_GatewayStatusRequest, GatewayStatusRequest__Output as _switchyard_gateway_v1_GatewayStatusRequest__Output } from '../../../switchyard/gateway/v1/GatewayStatusRequest';
import type { GatewayStatusResponse as _switchyard_gateway_v1_GatewayStatusResponse, GatewayStatusResponse__Output as _switchyard_gateway_v1_GatewayStatusResponse__Output } from '../../../switchyard/gateway/v1/GatewayStatusResponse';

export interface GatewayClient extends grpc.Client {
  ExplainRequest(argument: _switchyard_gateway_v1_ExplainRequestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_gateway_v1_DecisionRecord__Output>): grpc.ClientUnaryCall;
  ExplainRequest(argument: _switchyard_gateway_v1_ExplainRequestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_gateway_v1_DecisionRecord__Output>): grpc.ClientUnaryCall;
  ExplainRequest(argument: _switchyard_gateway_v1_ExplainRequestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_gateway_v1_DecisionRecord__Output>): grpc.ClientUnaryCall;
  ExplainRequest(argument: _switchyard_gateway_v1_ExplainRequestRequest, callback: grpc.requestCallback<_switchyard_gateway_v1_DecisionRecord__Output>): grpc.ClientUnaryCall;
  explainRequest(argument: _switchyard_gateway_v1_ExplainRequestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_gateway_v1_DecisionRecord__Output>): grpc.ClientUnaryCall;
  explainRequest(argument: _switchyard_gateway_v1_ExplainRequestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_gateway_v1_DecisionRecord__Output>): grpc.ClientUnaryCall;
  explainRequest(argument: _switchyard_gateway_v1_ExplainRequestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_gateway_v1_DecisionRecord__Output>): grpc.ClientUnaryCall;
  explainRequest(argument: _switchyard_gateway_v1_ExplainRequestRequest, callback: grpc.requestCallback<_switchyard_gateway_v1_DecisionRecord__Output>): grpc.ClientUnaryCall;
  
  GatewayStatus(argument: _switchyard_gateway_v1_GatewayStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_gateway_v1_GatewayStatusResponse__Output>): grpc.ClientUnaryCall;
  GatewayStatus(argument: _switchyard_gateway_v1_GatewayStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_gateway_v1_GatewayStatusResponse__Output>): grpc.ClientUnaryCall;
  GatewayStatus(argument: _switchyard_gateway_v1_GatewayStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_gateway_v1_GatewayStatusResponse__Output>): grpc.ClientUnaryCall;
  GatewayStatus(argument: _switchyard_gateway_v1_GatewayStatusRequest, callback: grpc.requestCallback<_switchyard_gateway_v1_GatewayStatusResponse__Output>): grpc.ClientUnaryCall;
  gatewayStatus(argument: _switchyard_gateway_v1_GatewayStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_gateway_v1_GatewayStatusResponse__Output>): grpc.ClientUnaryCall;
  gatewayStatus(argument: _switchyard_gateway_v1_GatewayStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_gateway_v1_GatewayStatusResponse__Output>): grpc.ClientUnaryCall;
  gatewayStatus(argument: _switchyard_gateway_v1_GatewayStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_gateway_v1_GatewayStatusResponse__Output>): grpc.ClientUnaryCall;
  gatewayStatus(argument: _switchyard_gateway_v1_GatewayStatusRequest, callback: grpc.requestCallback<_switchyard_gateway_v1_GatewayStatusResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface GatewayHandlers extends grpc.UntypedServiceImplementation {
  ExplainRequest: grpc.handleUnaryCall<_switchyard_gateway_v1_ExplainRequestRequest__Output, _switchyard_gateway_v1_DecisionRecord>;
  
  GatewayStatus: grpc.handleUnaryCall<_switchyard_gateway_v1_GatewayStatusRequest__Output, _switchyard_gateway_v1_GatewayStatusResponse>;
  
}

export interface GatewayDefinition extends grpc.ServiceDefinition {
  ExplainRequest: MethodDefinition<_switchyard_gateway_v1_ExplainRequestRequest, _switchyard_gateway_v1_DecisionRecord, _switchyard_gateway_v1_ExplainRequestRequest__Output, _switchyard_gateway_v1_DecisionRecord__Output>
  GatewayStatus: MethodDefinition<_switchyard_gateway_v1_GatewayStatusRequest, _switchyard_gateway_v1_GatewayStatusResponse, _switchyard_gateway_v1_GatewayStatusRequest__Output, _switchyard_gateway_v1_GatewayStatusResponse__Output>
}

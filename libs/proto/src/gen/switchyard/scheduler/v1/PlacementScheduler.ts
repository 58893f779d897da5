// Original file: switchyard/scheduler/v1/scheduler.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ClusterStatusRequest as _switchyard_scheduler_v1_ClusterStatusRequest, ClusterStatusRequest__Output as _switchyard_scheduler_v1_ClusterStatusRequest__Output } from '../../../switchyard/scheduler/v1/ClusterStatusRequest';
import type { ClusterStatusResponse as _switchyard_scheduler_v1_ClusterStatusResponse, ClusterStatusResponse__Output as _switchyard_scheduler_v1_ClusterStatusResponse__Output } from '../../../switchyard/scheduler/v1/ClusterStatusResponse';
import type { Explanation as _switchyard_scheduler_v1_Explanation, Explanation__Output as _switchyard_scheduler_v1_Explanation__Output } from '../../../switchyard/scheduler/v1/Explanation';
import type { GetTableRequest as _switchyard_scheduler_v1_GetTableRequest, GetTableRequest__Output as _switchyard_scheduler_v1_GetTableRequest__Output } from '../../../switchyard/scheduler/v1/GetTableRequest';
import type { PlaceRequest as _switchyard_scheduler_v1_PlaceRequest, PlaceRequest__Output as _switchyard_scheduler_v1_PlaceRequest__Output } from '../../../switchyard/scheduler/v1/PlaceRequest';
import type { PlaceResponse as _switchyard_scheduler_v1_PlaceResponse, PlaceResponse__Output as _switchyard_scheduler_v1_PlaceResponse__Output } from '../../../switchyard/scheduler/v1/PlaceResponse';
import type { PlacementTable as _switchyard_scheduler_v1_PlacementTable, PlacementTable__Output as _switchyard_scheduler_v1_PlacementTable__Output } from '../../../switchyard/scheduler/v1/PlacementTable';

export interface PlacementSchedulerClient extends grpc.Client {
  ClusterStatus(argument: _switchyard_scheduler_v1_ClusterStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_scheduler_v1_ClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  ClusterStatus(argument: _switchyard_scheduler_v1_ClusterStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_scheduler_v1_ClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  ClusterStatus(argument: _switchyard_scheduler_v1_ClusterStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_scheduler_v1_ClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  ClusterStatus(argument: _switchyard_scheduler_v1_ClusterStatusRequest, callback: grpc.requestCallback<_switchyard_scheduler_v1_ClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  clusterStatus(argument: _switchyard_scheduler_v1_ClusterStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_scheduler_v1_ClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  clusterStatus(argument: _switchyard_scheduler_v1_ClusterStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_scheduler_v1_ClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  clusterStatus(argument: _switchyard_scheduler_v1_ClusterStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_scheduler_v1_ClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  clusterStatus(argument: _switchyard_scheduler_v1_ClusterStatusRequest, callback: grpc.requestCallback<_switchyard_scheduler_v1_ClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  
  Explain(argument: _switchyard_scheduler_v1_PlaceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_scheduler_v1_Explanation__Output>): grpc.ClientUnaryCall;
  Explain(argument: _switchyard_scheduler_v1_PlaceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_scheduler_v1_Explanation__Output>): grpc.ClientUnaryCall;
  Explain(argument: _switchyard_scheduler_v1_PlaceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_scheduler_v1_Explanation__Output>): grpc.ClientUnaryCall;
  Explain(argument: _switchyard_scheduler_v1_PlaceRequest, callback: grpc.requestCallback<_switchyard_scheduler_v1_Explanation__Output>): grpc.ClientUnaryCall;
  explain(argument: _switchyard_scheduler_v1_PlaceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_scheduler_v1_Explanation__Output>): grpc.ClientUnaryCall;
  explain(argument: _switchyard_scheduler_v1_PlaceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_scheduler_v1_Explanation__Output>): grpc.ClientUnaryCall;
  explain(argument: _switchyard_scheduler_v1_PlaceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_scheduler_v1_Explanation__Output>): grpc.ClientUnaryCall;
  explain(argument: _switchyard_scheduler_v1_PlaceRequest, callback: grpc.requestCallback<_switchyard_scheduler_v1_Explanation__Output>): grpc.ClientUnaryCall;
  
  GetTable(argument: _switchyard_scheduler_v1_GetTableRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_scheduler_v1_PlacementTable__Output>): grpc.ClientUnaryCall;
  GetTable(argument: _switchyard_scheduler_v1_GetTableRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_scheduler_v1_PlacementTable__Output>): grpc.ClientUnaryCall;
  GetTable(argument: _switchyard_scheduler_v1_GetTableRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_scheduler_v1_PlacementTable__Output>): grpc.ClientUnaryCall;
  GetTable(argument: _switchyard_scheduler_v1_GetTableRequest, callback: grpc.requestCallback<_switchyard_scheduler_v1_PlacementTable__Output>): grpc.ClientUnaryCall;
  getTable(argument: _switchyard_scheduler_v1_GetTableRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_scheduler_v1_PlacementTable__Output>): grpc.ClientUnaryCall;
  getTable(argument: _switchyard_scheduler_v1_GetTableRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_scheduler_v1_PlacementTable__Output>): grpc.ClientUnaryCall;
  getTable(argument: _switchyard_scheduler_v1_GetTableRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_scheduler_v1_PlacementTable__Output>): grpc.ClientUnaryCall;
  getTable(argument: _switchyard_scheduler_v1_GetTableRequest, callback: grpc.requestCallback<_switchyard_scheduler_v1_PlacementTable__Output>): grpc.ClientUnaryCall;
  
  Place(argument: _switchyard_scheduler_v1_PlaceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_scheduler_v1_PlaceResponse__Output>): grpc.ClientUnaryCall;
  Place(argument: _switchyard_scheduler_v1_PlaceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_scheduler_v1_PlaceResponse__Output>): grpc.ClientUnaryCall;
  Place(argument: _switchyard_scheduler_v1_PlaceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_scheduler_v1_PlaceResponse__Output>): grpc.ClientUnaryCall;
  Place(argument: _switchyard_scheduler_v1_PlaceRequest, callback: grpc.requestCallback<_switchyard_scheduler_v1_PlaceResponse__Output>): grpc.ClientUnaryCall;
  place(argument: _switchyard_scheduler_v1_PlaceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_scheduler_v1_PlaceResponse__Output>): grpc.ClientUnaryCall;
  place(argument: _switchyard_scheduler_v1_PlaceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_scheduler_v1_PlaceResponse__Output>): grpc.ClientUnaryCall;
  place(argument: _switchyard_scheduler_v1_PlaceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_scheduler_v1_PlaceResponse__Output>): grpc.ClientUnaryCall;
  place(argument: _switchyard_scheduler_v1_PlaceRequest, callback: grpc.requestCallback<_switchyard_scheduler_v1_PlaceResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface PlacementSchedulerHandlers extends grpc.UntypedServiceImplementation {
  ClusterStatus: grpc.handleUnaryCall<_switchyard_scheduler_v1_ClusterStatusRequest__Output, _switchyard_scheduler_v1_ClusterStatusResponse>;
  
  Explain: grpc.handleUnaryCall<_switchyard_scheduler_v1_PlaceRequest__Output, _switchyard_scheduler_v1_Explanation>;
  
  GetTable: grpc.handleUnaryCall<_switchyard_scheduler_v1_GetTableRequest__Output, _switchyard_scheduler_v1_PlacementTable>;
  
  Place: grpc.handleUnaryCall<_switchyard_scheduler_v1_PlaceRequest__Output, _switchyard_scheduler_v1_PlaceResponse>;
  
}

export interface PlacementSchedulerDefinition extends grpc.ServiceDefinition {
  ClusterStatus: MethodDefinition<_switchyard_scheduler_v1_ClusterStatusRequest, _switchyard_scheduler_v1_ClusterStatusResponse, _switchyard_scheduler_v1_ClusterStatusRequest__Output, _switchyard_scheduler_v1_ClusterStatusResponse__Output>
  Explain: MethodDefinition<_switchyard_scheduler_v1_PlaceRequest, _switchyard_scheduler_v1_Explanation, _switchyard_scheduler_v1_PlaceRequest__Output, _switchyard_scheduler_v1_Explanation__Output>
  GetTable: MethodDefinition<_switchyard_scheduler_v1_GetTableRequest, _switchyard_scheduler_v1_PlacementTable, _switchyard_scheduler_v1_GetTableRequest__Output, _switchyard_scheduler_v1_PlacementTable__Output>
  Place: MethodDefinition<_switchyard_scheduler_v1_PlaceRequest, _switchyard_scheduler_v1_PlaceResponse, _switchyard_scheduler_v1_PlaceRequest__Output, _switchyard_scheduler_v1_PlaceResponse__Output>
}

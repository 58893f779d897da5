import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { GRPCInferenceServiceClient as _inference_GRPCInferenceServiceClient, GRPCInferenceServiceDefinition as _inference_GRPCInferenceServiceDefinition } from './inference/GRPCInferenceService';
import type { InferBatchStatistics as _inference_InferBatchStatistics, InferBatchStatistics__Output as _inference_InferBatchStatistics__Output } from './inference/InferBatchStatistics';
import type { InferParameter as _inference_InferParameter, InferParameter__Output as _inference_InferParameter__Output } from './inference/InferParameter';
import type { InferStatistics as _inference_InferStatistics, InferStatistics__Output as _inference_InferStatistics__Output } from './inference/InferStatistics';
import type { InferTensorContents as _inference_InferTensorContents, InferTensorContents__Output as _inference_InferTensorContents__Output } from './inference/InferTensorContents';
import type { MemoryUsage as _inference_MemoryUsage, MemoryUsage__Output as _inference_MemoryUsage__Output } from './inference/MemoryUsage';
import type { ModelInferRequest as _inference_ModelInferRequest, ModelInferRequest__Output as _inference_ModelInferRequest__Output } from './inference/ModelInferRequest';
import type { ModelInferResponse as _inference_ModelInferResponse, ModelInferResponse__Output as _inference_ModelInferResponse__Output } from './inference/ModelInferResponse';
import type { ModelMetadataRequest as _inference_ModelMetadataRequest, ModelMetadataRequest__Output as _inference_ModelMetadataRequest__Output } from './inference/ModelMetadataRequest';
import type { ModelMetadataResponse as _inference_ModelMetadataResponse, ModelMetadataResponse__Output as _inference_ModelMetadataResponse__Output } from './inference/ModelMetadataResponse';
import type { ModelReadyRequest as _inference_ModelReadyRequest, ModelReadyRequest__Output as _inference_ModelReadyRequest__Output } from './inference/ModelReadyRequest';
import type { ModelReadyResponse as _inference_ModelReadyResponse, ModelReadyResponse__Output as _inference_ModelReadyResponse__Output } from './inference/ModelReadyResponse';
import type { ModelStatistics as _inference_ModelStatistics, ModelStatistics__Output as _inference_ModelStatistics__Output } from './inference/ModelStatistics';
import type { ModelStatisticsRequest as _inference_ModelStatisticsRequest, ModelStatisticsRequest__Output as _inference_ModelStatisticsRequest__Output } from './inference/ModelStatisticsRequest';
import type { ModelStatisticsResponse as _inference_ModelStatisticsResponse, ModelStatisticsResponse__Output as _inference_ModelStatisticsResponse__Output } from './inference/ModelStatisticsResponse';
import type { RepositoryIndexRequest as _inference_RepositoryIndexRequest, RepositoryIndexRequest__Output as _inference_RepositoryIndexRequest__Output } from './inference/RepositoryIndexRequest';
import type { RepositoryIndexResponse as _inference_RepositoryIndexResponse, RepositoryIndexResponse__Output as _inference_RepositoryIndexResponse__Output } from './inference/RepositoryIndexResponse';
import type { ServerLiveRequest as _inference_ServerLiveRequest, ServerLiveRequest__Output as _inference_ServerLiveRequest__Output } from './inference/ServerLiveRequest';
import type { ServerLiveResponse as _inference_ServerLiveResponse, ServerLiveResponse__Output as _inference_ServerLiveResponse__Output } from './inference/ServerLiveResponse';
import type { ServerMetadataRequest as _inference_ServerMetadataRequest, ServerMetadataRequest__Output as _inference_ServerMetadataRequest__Output } from './inference/ServerMetadataRequest';
import type { ServerMetadataResponse as _inference_ServerMetadataResponse, ServerMetadataResponse__Output as _inference_ServerMetadataResponse__Output } from './inference/ServerMetadataResponse';
import type { ServerReadyRequest as _inference_ServerReadyRequest, ServerReadyRequest__Output as _inference_ServerReadyRequest__Output } from './inference/ServerReadyRequest';
import type { ServerReadyResponse as _inference_ServerReadyResponse, ServerReadyResponse__Output as _inference_ServerReadyResponse__Output } from './inference/ServerReadyResponse';
import type { StatisticDuration as _inference_StatisticDuration, StatisticDuration__Output as _inference_StatisticDuration__Output } from './inference/StatisticDuration';
import type { DescribeRequest as _switchyard_executor_v1_DescribeRequest, DescribeRequest__Output as _switchyard_executor_v1_DescribeRequest__Output } from './switchyard/executor/v1/DescribeRequest';
import type { Device as _switchyard_executor_v1_Device, Device__Output as _switchyard_executor_v1_Device__Output } from './switchyard/executor/v1/Device';
import type { ExecutorClient as _switchyard_executor_v1_ExecutorClient, ExecutorDefinition as _switchyard_executor_v1_ExecutorDefinition } from './switchyard/executor/v1/Executor';
import type { Heartbeat as _switchyard_executor_v1_Heartbeat, Heartbeat__Output as _switchyard_executor_v1_Heartbeat__Output } from './switchyard/executor/v1/Heartbeat';
import type { InferFrame as _switchyard_executor_v1_InferFrame, InferFrame__Output as _switchyard_executor_v1_InferFrame__Output } from './switchyard/executor/v1/InferFrame';
import type { InferReply as _switchyard_executor_v1_InferReply, InferReply__Output as _switchyard_executor_v1_InferReply__Output } from './switchyard/executor/v1/InferReply';
import type { LoadModelRequest as _switchyard_executor_v1_LoadModelRequest, LoadModelRequest__Output as _switchyard_executor_v1_LoadModelRequest__Output } from './switchyard/executor/v1/LoadModelRequest';
import type { LoadModelResponse as _switchyard_executor_v1_LoadModelResponse, LoadModelResponse__Output as _switchyard_executor_v1_LoadModelResponse__Output } from './switchyard/executor/v1/LoadModelResponse';
import type { ModelState as _switchyard_executor_v1_ModelState, ModelState__Output as _switchyard_executor_v1_ModelState__Output } from './switchyard/executor/v1/ModelState';
import type { ServiceTime as _switchyard_executor_v1_ServiceTime, ServiceTime__Output as _switchyard_executor_v1_ServiceTime__Output } from './switchyard/executor/v1/ServiceTime';
import type { UnloadModelRequest as _switchyard_executor_v1_UnloadModelRequest, UnloadModelRequest__Output as _switchyard_executor_v1_UnloadModelRequest__Output } from './switchyard/executor/v1/UnloadModelRequest';
import type { UnloadModelResponse as _switchyard_executor_v1_UnloadModelResponse, UnloadModelResponse__Output as _switchyard_executor_v1_UnloadModelResponse__Output } from './switchyard/executor/v1/UnloadModelResponse';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  inference: {
    GRPCInferenceService: SubtypeConstructor<typeof grpc.Client, _inference_GRPCInferenceServiceClient> & { service: _inference_GRPCInferenceServiceDefinition }
    InferBatchStatistics: MessageTypeDefinition<_inference_InferBatchStatistics, _inference_InferBatchStatistics__Output>
    InferParameter: MessageTypeDefinition<_inference_InferParameter, _inference_InferParameter__Output>
    InferStatistics: MessageTypeDefinition<_inference_InferStatistics, _inference_InferStatistics__Output>
    InferTensorContents: MessageTypeDefinition<_inference_InferTensorContents, _inference_InferTensorContents__Output>
    MemoryUsage: MessageTypeDefinition<_inference_MemoryUsage, _inference_MemoryUsage__Output>
    ModelInferRequest: MessageTypeDefinition<_inference_ModelInferRequest, _inference_ModelInferRequest__Output>
    ModelInferResponse: MessageTypeDefinition<_inference_ModelInferResponse, _inference_ModelInferResponse__Output>
    ModelMetadataRequest: MessageTypeDefinition<_inference_ModelMetadataRequest, _inference_ModelMetadataRequest__Output>
    ModelMetadataResponse: MessageTypeDefinition<_inference_ModelMetadataResponse, _inference_ModelMetadataResponse__Output>
    ModelReadyRequest: MessageTypeDefinition<_inference_ModelReadyRequest, _inference_ModelReadyRequest__Output>
    ModelReadyResponse: MessageTypeDefinition<_inference_ModelReadyResponse, _inference_ModelReadyResponse__Output>
    ModelStatistics: MessageTypeDefinition<_inference_ModelStatistics, _inference_ModelStatistics__Output>
    ModelStatisticsRequest: MessageTypeDefinition<_inference_ModelStatisticsRequest, _inference_ModelStatisticsRequest__Output>
    ModelStatisticsResponse: MessageTypeDefinition<_inference_ModelStatisticsResponse, _inference_ModelStatisticsResponse__Output>
    RepositoryIndexRequest: MessageTypeDefinition<_inference_RepositoryIndexRequest, _inference_RepositoryIndexRequest__Output>
    RepositoryIndexResponse: MessageTypeDefinition<_inference_RepositoryIndexResponse, _inference_RepositoryIndexResponse__Output>
    ServerLiveRequest: MessageTypeDefinition<_inference_ServerLiveRequest, _inference_ServerLiveRequest__Output>
    ServerLiveResponse: MessageTypeDefinition<_inference_ServerLiveResponse, _inference_ServerLiveResponse__Output>
    ServerMetadataRequest: MessageTypeDefinition<_inference_ServerMetadataRequest, _inference_ServerMetadataRequest__Output>
    ServerMetadataResponse: MessageTypeDefinition<_inference_ServerMetadataResponse, _inference_ServerMetadataResponse__Output>
    ServerReadyRequest: MessageTypeDefinition<_inference_ServerReadyRequest, _inference_ServerReadyRequest__Output>
    ServerReadyResponse: MessageTypeDefinition<_inference_ServerReadyResponse, _inference_ServerReadyResponse__Output>
    StatisticDuration: MessageTypeDefinition<_inference_StatisticDuration, _inference_StatisticDuration__Output>
  }
  switchyard: {
    executor: {
      v1: {
        DescribeRequest: MessageTypeDefinition<_switchyard_executor_v1_DescribeRequest, _switchyard_executor_v1_DescribeRequest__Output>
        Device: MessageTypeDefinition<_switchyard_executor_v1_Device, _switchyard_executor_v1_Device__Output>
        Executor: SubtypeConstructor<typeof grpc.Client, _switchyard_executor_v1_ExecutorClient> & { service: _switchyard_executor_v1_ExecutorDefinition }
        Heartbeat: MessageTypeDefinition<_switchyard_executor_v1_Heartbeat, _switchyard_executor_v1_Heartbeat__Output>
        InferFrame: MessageTypeDefinition<_switchyard_executor_v1_InferFrame, _switchyard_executor_v1_InferFrame__Output>
        InferReply: MessageTypeDefinition<_switchyard_executor_v1_InferReply, _switchyard_executor_v1_InferReply__Output>
        LoadModelRequest: MessageTypeDefinition<_switchyard_executor_v1_LoadModelRequest, _switchyard_executor_v1_LoadModelRequest__Output>
        LoadModelResponse: MessageTypeDefinition<_switchyard_executor_v1_LoadModelResponse, _switchyard_executor_v1_LoadModelResponse__Output>
        ModelState: MessageTypeDefinition<_switchyard_executor_v1_ModelState, _switchyard_executor_v1_ModelState__Output>
        Pool: EnumTypeDefinition
        ServiceTime: MessageTypeDefinition<_switchyard_executor_v1_ServiceTime, _switchyard_executor_v1_ServiceTime__Output>
        UnloadModelRequest: MessageTypeDefinition<_switchyard_executor_v1_UnloadModelRequest, _switchyard_executor_v1_UnloadModelRequest__Output>
        UnloadModelResponse: MessageTypeDefinition<_switchyard_executor_v1_UnloadModelResponse, _switchyard_executor_v1_UnloadModelResponse__Output>
      }
    }
  }
}


// Original file: switchyard/executor/v1/executor.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DescribeRequest as _switchyard_executor_v1_DescribeRequest, DescribeRequest__Output as _switchyard_executor_v1_DescribeRequest__Output } from '../../../switchyard/executor/v1/DescribeRequest';
import type { Heartbeat as _switchyard_executor_v1_Heartbeat, Heartbeat__Output as _switchyard_executor_v1_Heartbeat__Output } from '../../../switchyard/executor/v1/Heartbeat';
import type { InferFrame as _switchyard_executor_v1_InferFrame, InferFrame__Output as _switchyard_executor_v1_InferFrame__Output } from '../../../switchyard/executor/v1/InferFrame';
import type { InferReply as _switchyard_executor_v1_InferReply, InferReply__Output as _switchyard_executor_v1_InferReply__Output } from '../../../switchyard/executor/v1/InferReply';
import type { LoadModelRequest as _switchyard_executor_v1_LoadModelRequest, LoadModelRequest__Output as _switchyard_executor_v1_LoadModelRequest__Output } from '../../../switchyard/executor/v1/LoadModelRequest';
import type { LoadModelResponse as _switchyard_executor_v1_LoadModelResponse, LoadModelResponse__Output as _switchyard_executor_v1_LoadModelResponse__Output } from '../../../switchyard/executor/v1/LoadModelResponse';
import type { ModelInferRequest as _inference_ModelInferRequest, ModelInferRequest__Output as _inference_ModelInferRequest__Output } from '../../../inference/ModelInferRequest';
import type { ModelInferResponse as _inference_ModelInferResponse, ModelInferResponse__Output as _inference_ModelInferResponse__Output } from '../../../inference/ModelInferResponse';
import type { ModelMetadataRequest as _inference_ModelMetadataRequest, ModelMetadataRequest__Output as _inference_ModelMetadataRequest__Output } from '../../../inference/ModelMetadataRequest';
import type { ModelMetadataResponse as _inference_ModelMetadataResponse, ModelMetadataResponse__Output as _inference_ModelMetadataResponse__Output } from '../../../inference/ModelMetadataResponse';
import type { ModelReadyRequest as _inference_ModelReadyRequest, ModelReadyRequest__Output as _inference_ModelReadyRequest__Output } from '../../../inference/ModelReadyRequest';
import type { ModelReadyResponse as _inference_ModelReadyResponse, ModelReadyResponse__Output as _inference_ModelReadyResponse__Output } from '../../../inference/ModelReadyResponse';
import type { ModelStatisticsRequest as _inference_ModelStatisticsRequest, ModelStatisticsRequest__Output as _inference_ModelStatisticsRequest__Output } from '../../../inference/ModelStatisticsRequest';
import type { ModelStatisticsResponse as _inference_ModelStatisticsResponse, ModelStatisticsResponse__Output as _inference_ModelStatisticsResponse__Output } from '../../../inference/ModelStatisticsResponse';
import type { RepositoryIndexRequest as _inference_RepositoryIndexRequest, RepositoryIndexRequest__Output as _inference_RepositoryIndexRequest__Output } from '../../../inference/RepositoryIndexRequest';
import type { RepositoryIndexResponse as _inference_RepositoryIndexResponse, RepositoryIndexResponse__Output as _inference_RepositoryIndexResponse__Output } from '../../../inference/RepositoryIndexResponse';
import type { UnloadModelRequest as _switchyard_executor_v1_UnloadModelRequest, UnloadModelRequest__Output as _switchyard_executor_v1_UnloadModelRequest__Output } from '../../../switchyard/executor/v1/UnloadModelRequest';
import type { UnloadModelResponse as _switchyard_executor_v1_UnloadModelResponse, UnloadModelResponse__Output as _switchyard_executor_v1_UnloadModelResponse__Output } from '../../../switchyard/executor/v1/UnloadModelResponse';

export interface ExecutorClient extends grpc.Client {
  Describe(argument: _switchyard_executor_v1_DescribeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_executor_v1_Heartbeat__Output>): grpc.ClientUnaryCall;
  Describe(argument: _switchyard_executor_v1_DescribeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_executor_v1_Heartbeat__Output>): grpc.ClientUnaryCall;
  Describe(argument: _switchyard_executor_v1_DescribeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_executor_v1_Heartbeat__Output>): grpc.ClientUnaryCall;
  Describe(argument: _switchyard_executor_v1_DescribeRequest, callback: grpc.requestCallback<_switchyard_executor_v1_Heartbeat__Output>): grpc.ClientUnaryCall;
  describe(argument: _switchyard_executor_v1_DescribeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_executor_v1_Heartbeat__Output>): grpc.ClientUnaryCall;
  describe(argument: _switchyard_executor_v1_DescribeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_executor_v1_Heartbeat__Output>): grpc.ClientUnaryCall;
  describe(argument: _switchyard_executor_v1_DescribeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_executor_v1_Heartbeat__Output>): grpc.ClientUnaryCall;
  describe(argument: _switchyard_executor_v1_DescribeRequest, callback: grpc.requestCallback<_switchyard_executor_v1_Heartbeat__Output>): grpc.ClientUnaryCall;
  
  Infer(argument: _inference_ModelInferRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_ModelInferResponse__Output>): grpc.ClientUnaryCall;
  Infer(argument: _inference_ModelInferRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_inference_ModelInferResponse__Output>): grpc.ClientUnaryCall;
  Infer(argument: _inference_ModelInferRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_ModelInferResponse__Output>): grpc.ClientUnaryCall;
  Infer(argument: _inference_ModelInferRequest, callback: grpc.requestCallback<_inference_ModelInferResponse__Output>): grpc.ClientUnaryCall;
  infer(argument: _inference_ModelInferRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_ModelInferResponse__Output>): grpc.ClientUnaryCall;
  infer(argument: _inference_ModelInferRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_inference_ModelInferResponse__Output>): grpc.ClientUnaryCall;
  infer(argument: _inference_ModelInferRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_ModelInferResponse__Output>): grpc.ClientUnaryCall;
  infer(argument: _inference_ModelInferRequest, callback: grpc.requestCallback<_inference_ModelInferResponse__Output>): grpc.ClientUnaryCall;
  
  InferStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_switchyard_executor_v1_InferFrame, _switchyard_executor_v1_InferReply__Output>;
  InferStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_switchyard_executor_v1_InferFrame, _switchyard_executor_v1_InferReply__Output>;
  inferStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_switchyard_executor_v1_InferFrame, _switchyard_executor_v1_InferReply__Output>;
  inferStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_switchyard_executor_v1_InferFrame, _switchyard_executor_v1_InferReply__Output>;
  
  LoadModel(argument: _switchyard_executor_v1_LoadModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_executor_v1_LoadModelResponse__Output>): grpc.ClientUnaryCall;
  LoadModel(argument: _switchyard_executor_v1_LoadModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_executor_v1_LoadModelResponse__Output>): grpc.ClientUnaryCall;
  LoadModel(argument: _switchyard_executor_v1_LoadModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_executor_v1_LoadModelResponse__Output>): grpc.ClientUnaryCall;
  LoadModel(argument: _switchyard_executor_v1_LoadModelRequest, callback: grpc.requestCallback<_switchyard_executor_v1_LoadModelResponse__Output>): grpc.ClientUnaryCall;
  loadModel(argument: _switchyard_executor_v1_LoadModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_executor_v1_LoadModelResponse__Output>): grpc.ClientUnaryCall;
  loadModel(argument: _switchyard_executor_v1_LoadModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_executor_v1_LoadModelResponse__Output>): grpc.ClientUnaryCall;
  loadModel(argument: _switchyard_executor_v1_LoadModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_executor_v1_LoadModelResponse__Output>): grpc.ClientUnaryCall;
  loadModel(argument: _switchyard_executor_v1_LoadModelRequest, callback: grpc.requestCallback<_switchyard_executor_v1_LoadModelResponse__Output>): grpc.ClientUnaryCall;
  
  ModelMetadata(argument: _inference_ModelMetadataRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_ModelMetadataResponse__Output>): grpc.ClientUnaryCall;
  ModelMetadata(argument: _inference_ModelMetadataRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_inference_ModelMetadataResponse__Output>): grpc.ClientUnaryCall;
  ModelMetadata(argument: _inference_ModelMetadataRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_ModelMetadataResponse__Output>): grpc.ClientUnaryCall;
  ModelMetadata(argument: _inference_ModelMetadataRequest, callback: grpc.requestCallback<_inference_ModelMetadataResponse__Output>): grpc.ClientUnaryCall;
  modelMetadata(argument: _inference_ModelMetadataRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_ModelMetadataResponse__Output>): grpc.ClientUnaryCall;
  modelMetadata(argument: _inference_ModelMetadataRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_inference_ModelMetadataResponse__Output>): grpc.ClientUnaryCall;
  modelMetadata(argument: _inference_ModelMetadataRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_ModelMetadataResponse__Output>): grpc.ClientUnaryCall;
  modelMetadata(argument: _inference_ModelMetadataRequest, callback: grpc.requestCallback<_inference_ModelMetadataResponse__Output>): grpc.ClientUnaryCall;
  
  ModelReady(argument: _inference_ModelReadyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_ModelReadyResponse__Output>): grpc.ClientUnaryCall;
  ModelReady(argument: _inference_ModelReadyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_inference_ModelReadyResponse__Output>): grpc.ClientUnaryCall;
  ModelReady(argument: _inference_ModelReadyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_ModelReadyResponse__Output>): grpc.ClientUnaryCall;
  ModelReady(argument: _inference_ModelReadyRequest, callback: grpc.requestCallback<_inference_ModelReadyResponse__Output>): grpc.ClientUnaryCall;
  modelReady(argument: _inference_ModelReadyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_ModelReadyResponse__Output>): grpc.ClientUnaryCall;
  modelReady(argument: _inference_ModelReadyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_inference_ModelReadyResponse__Output>): grpc.ClientUnaryCall;
  modelReady(argument: _inference_ModelReadyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_ModelReadyResponse__Output>): grpc.ClientUnaryCall;
  modelReady(argument: _inference_ModelReadyRequest, callback: grpc.requestCallback<_inference_ModelReadyResponse__Output>): grpc.ClientUnaryCall;
  
  ModelStatistics(argument: _inference_ModelStatisticsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_ModelStatisticsResponse__Output>): grpc.ClientUnaryCall;
  ModelStatistics(argument: _inference_ModelStatisticsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_inference_ModelStatisticsResponse__Output>): grpc.ClientUnaryCall;
  ModelStatistics(argument: _inference_ModelStatisticsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_ModelStatisticsResponse__Output>): grpc.ClientUnaryCall;
  ModelStatistics(argument: _inference_ModelStatisticsRequest, callback: grpc.requestCallback<_inference_ModelStatisticsResponse__Output>): grpc.ClientUnaryCall;
  modelStatistics(argument: _inference_ModelStatisticsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_ModelStatisticsResponse__Output>): grpc.ClientUnaryCall;
  modelStatistics(argument: _inference_ModelStatisticsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_inference_ModelStatisticsResponse__Output>): grpc.ClientUnaryCall;
  modelStatistics(argument: _inference_ModelStatisticsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_ModelStatisticsResponse__Output>): grpc.ClientUnaryCall;
  modelStatistics(argument: _inference_ModelStatisticsRequest, callback: grpc.requestCallback<_inference_ModelStatisticsResponse__Output>): grpc.ClientUnaryCall;
  
  RepositoryIndex(argument: _inference_RepositoryIndexRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_RepositoryIndexResponse__Output>): grpc.ClientUnaryCall;
  RepositoryIndex(argument: _inference_RepositoryIndexRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_inference_RepositoryIndexResponse__Output>): grpc.ClientUnaryCall;
  RepositoryIndex(argument: _inference_RepositoryIndexRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_RepositoryIndexResponse__Output>): grpc.ClientUnaryCall;
  RepositoryIndex(argument: _inference_RepositoryIndexRequest, callback: grpc.requestCallback<_inference_RepositoryIndexResponse__Output>): grpc.ClientUnaryCall;
  repositoryIndex(argument: _inference_RepositoryIndexRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_RepositoryIndexResponse__Output>): grpc.ClientUnaryCall;
  repositoryIndex(argument: _inference_RepositoryIndexRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_inference_RepositoryIndexResponse__Output>): grpc.ClientUnaryCall;
  repositoryIndex(argument: _inference_RepositoryIndexRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_inference_RepositoryIndexResponse__Output>): grpc.ClientUnaryCall;
  repositoryIndex(argument: _inference_RepositoryIndexRequest, callback: grpc.requestCallback<_inference_RepositoryIndexResponse__Output>): grpc.ClientUnaryCall;
  
  UnloadModel(argument: _switchyard_executor_v1_UnloadModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_executor_v1_UnloadModelResponse__Output>): grpc.ClientUnaryCall;
  UnloadModel(argument: _switchyard_executor_v1_UnloadModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_executor_v1_UnloadModelResponse__Output>): grpc.ClientUnaryCall;
  UnloadModel(argument: _switchyard_executor_v1_UnloadModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_executor_v1_UnloadModelResponse__Output>): grpc.ClientUnaryCall;
  UnloadModel(argument: _switchyard_executor_v1_UnloadModelRequest, callback: grpc.requestCallback<_switchyard_executor_v1_UnloadModelResponse__Output>): grpc.ClientUnaryCall;
  unloadModel(argument: _switchyard_executor_v1_UnloadModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_executor_v1_UnloadModelResponse__Output>): grpc.ClientUnaryCall;
  unloadModel(argument: _switchyard_executor_v1_UnloadModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_executor_v1_UnloadModelResponse__Output>): grpc.ClientUnaryCall;
  unloadModel(argument: _switchyard_executor_v1_UnloadModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_executor_v1_UnloadModelResponse__Output>): grpc.ClientUnaryCall;
  unloadModel(argument: _switchyard_executor_v1_UnloadModelRequest, callback: grpc.requestCallback<_switchyard_executor_v1_UnloadModelResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ExecutorHandlers extends grpc.UntypedServiceImplementation {
  Describe: grpc.handleUnaryCall<_switchyard_executor_v1_DescribeRequest__Output, _switchyard_executor_v1_Heartbeat>;
  
  Infer: grpc.handleUnaryCall<_inference_ModelInferRequest__Output, _inference_ModelInferResponse>;
  
  InferStream: grpc.handleBidiStreamingCall<_switchyard_executor_v1_InferFrame__Output, _switchyard_executor_v1_InferReply>;
  
  LoadModel: grpc.handleUnaryCall<_switchyard_executor_v1_LoadModelRequest__Output, _switchyard_executor_v1_LoadModelResponse>;
  
  ModelMetadata: grpc.handleUnaryCall<_inference_ModelMetadataRequest__Output, _inference_ModelMetadataResponse>;
  
  ModelReady: grpc.handleUnaryCall<_inference_ModelReadyRequest__Output, _inference_ModelReadyResponse>;
  
  ModelStatistics: grpc.handleUnaryCall<_inference_ModelStatisticsRequest__Output, _inference_ModelStatisticsResponse>;
  
  RepositoryIndex: grpc.handleUnaryCall<_inference_RepositoryIndexRequest__Output, _inference_RepositoryIndexResponse>;
  
  UnloadModel: grpc.handleUnaryCall<_switchyard_executor_v1_UnloadModelRequest__Output, _switchyard_executor_v1_UnloadModelResponse>;
  
}

export interface ExecutorDefinition extends grpc.ServiceDefinition {
  Describe: MethodDefinition<_switchyard_executor_v1_DescribeRequest, _switchyard_executor_v1_Heartbeat, _switchyard_executor_v1_DescribeRequest__Output, _switchyard_executor_v1_Heartbeat__Output>
  Infer: MethodDefinition<_inference_ModelInferRequest, _inference_ModelInferResponse, _inference_ModelInferRequest__Output, _inference_ModelInferResponse__Output>
  InferStream: MethodDefinition<_switchyard_executor_v1_InferFrame, _switchyard_executor_v1_InferReply, _switchyard_executor_v1_InferFrame__Output, _switchyard_executor_v1_InferReply__Output>
  LoadModel: MethodDefinition<_switchyard_executor_v1_LoadModelRequest, _switchyard_executor_v1_LoadModelResponse, _switchyard_executor_v1_LoadModelRequest__Output, _switchyard_executor_v1_LoadModelResponse__Output>
  ModelMetadata: MethodDefinition<_inference_ModelMetadataRequest, _inference_ModelMetadataResponse, _inference_ModelMetadataRequest__Output, _inference_ModelMetadataResponse__Output>
  ModelReady: MethodDefinition<_inference_ModelReadyRequest, _inference_ModelReadyResponse, _inference_ModelReadyRequest__Output, _inference_ModelReadyResponse__Output>
  ModelStatistics: MethodDefinition<_inference_ModelStatisticsRequest, _inference_ModelStatisticsResponse, _inference_ModelStatisticsRequest__Output, _inference_ModelStatisticsResponse__Output>
  RepositoryIndex: MethodDefinition<_inference_RepositoryIndexRequest, _inference_RepositoryIndexResponse, _inference_RepositoryIndexRequest__Output, _inference_RepositoryIndexResponse__Output>
  UnloadModel: MethodDefinition<_switchyard_executor_v1_UnloadModelRequest, _switchyard_executor_v1_UnloadModelResponse, _switchyard_executor_v1_UnloadModelRequest__Output, _switchyard_executor_v1_UnloadModelResponse__Output>
}

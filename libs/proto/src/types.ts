// Re-exports of the generated message types that the rest of the workspace uses.
export type { ModelInferRequest, ModelInferRequest__Output } from './gen/inference/ModelInferRequest.ts';
export type { ModelInferResponse, ModelInferResponse__Output } from './gen/inference/ModelInferResponse.ts';
export type { InferParameter, InferParameter__Output } from './gen/inference/InferParameter.ts';
export type { InferTensorContents, InferTensorContents__Output } from './gen/inference/InferTensorContents.ts';
export type { ModelMetadataRequest__Output } from './gen/inference/ModelMetadataRequest.ts';
export type { ModelMetadataResponse, ModelMetadataResponse__Output } from './gen/inference/ModelMetadataResponse.ts';
export type { ModelReadyRequest__Output } from './gen/inference/ModelReadyRequest.ts';
export type { ModelReadyResponse } from './gen/inference/ModelReadyResponse.ts';
export type { ModelStatisticsRequest__Output } from './gen/inference/ModelStatisticsRequest.ts';
export type { ModelStatisticsResponse, ModelStatisticsResponse__Output } from './gen/inference/ModelStatisticsResponse.ts';
export type { ModelStatistics, ModelStatistics__Output } from './gen/inference/ModelStatistics.ts';
export type { RepositoryIndexRequest__Output } from './gen/inference/RepositoryIndexRequest.ts';
export type { RepositoryIndexResponse, RepositoryIndexResponse__Output } from './gen/inference/RepositoryIndexResponse.ts';
export type { ServerMetadataResponse } from './gen/inference/ServerMetadataResponse.ts';
export type { GRPCInferenceServiceHandlers, GRPCInferenceServiceClient } from './gen/inference/GRPCInferenceService.ts';

export type { Heartbeat, Heartbeat__Output } from './gen/switchyard/executor/v1/Heartbeat.ts';
export type { ModelState, ModelState__Output } from './gen/switchyard/executor/v1/ModelState.ts';
export type { Device, Device__Output } from './gen/switchyard/executor/v1/Device.ts';
export type { ServiceTime, ServiceTime__Output } from './gen/switchyard/executor/v1/ServiceTime.ts';
export type { Pool, Pool__Output } from './gen/switchyard/executor/v1/Pool.ts';
export type { LoadModelRequest__Output } from './gen/switchyard/executor/v1/LoadModelRequest.ts';
export type { LoadModelResponse } from './gen/switchyard/executor/v1/LoadModelResponse.ts';
export type { UnloadModelRequest__Output } from './gen/switchyard/executor/v1/UnloadModelRequest.ts';
export type { UnloadModelResponse } from './gen/switchyard/executor/v1/UnloadModelResponse.ts';
export type { ExecutorHandlers, ExecutorClient } from './gen/switchyard/executor/v1/Executor.ts';

export type { PlaceRequest, PlaceRequest__Output } from './gen/switchyard/scheduler/v1/PlaceRequest.ts';
export type { PlaceResponse, PlaceResponse__Output } from './gen/switchyard/scheduler/v1/PlaceResponse.ts';
export type { EjectionEvent, EjectionEvent__Output } from './gen/switchyard/scheduler/v1/EjectionEvent.ts';
export type { Explanation, Explanation__Output } from './gen/switchyard/scheduler/v1/Explanation.ts';
export type { PlacementTable, PlacementTable__Output } from './gen/switchyard/scheduler/v1/PlacementTable.ts';
export type { Candidate, Candidate__Output } from './gen/switchyard/scheduler/v1/Candidate.ts';
export type { ModelRoute, ModelRoute__Output } from './gen/switchyard/scheduler/v1/ModelRoute.ts';
export type { ClusterStatusResponse, ClusterStatusResponse__Output } from './gen/switchyard/scheduler/v1/ClusterStatusResponse.ts';
export type { ExecutorStatus, ExecutorStatus__Output } from './gen/switchyard/scheduler/v1/ExecutorStatus.ts';
export type { PlacementSchedulerHandlers, PlacementSchedulerClient } from './gen/switchyard/scheduler/v1/PlacementScheduler.ts';

export type { Jwks, Jwks__Output } from './gen/switchyard/policy/v1/Jwks.ts';
export type { Jwk, Jwk__Output } from './gen/switchyard/policy/v1/Jwk.ts';
export type { IssueTokenRequest__Output } from './gen/switchyard/policy/v1/IssueTokenRequest.ts';
export type { IssueTokenResponse, IssueTokenResponse__Output } from './gen/switchyard/policy/v1/IssueTokenResponse.ts';
export type { RotateKeysResponse, RotateKeysResponse__Output } from './gen/switchyard/policy/v1/RotateKeysResponse.ts';
export type { SigningKeysChanged, SigningKeysChanged__Output } from './gen/switchyard/policy/v1/SigningKeysChanged.ts';
export type { PolicyHandlers, PolicyClient } from './gen/switchyard/policy/v1/Policy.ts';

export type { Outcome, Outcome__Output } from './gen/switchyard/telemetry/v1/Outcome.ts';
export type { OutcomeBatch, OutcomeBatch__Output } from './gen/switchyard/telemetry/v1/OutcomeBatch.ts';
export type { Summary, Summary__Output } from './gen/switchyard/telemetry/v1/Summary.ts';
export type { GroupStats } from './gen/switchyard/telemetry/v1/GroupStats.ts';
export type { TelemetryHandlers, TelemetryClient } from './gen/switchyard/telemetry/v1/Telemetry.ts';
export type { SeriesSet, SeriesSet__Output } from './gen/switchyard/telemetry/v1/SeriesSet.ts';
export type { SloReport, SloReport__Output } from './gen/switchyard/telemetry/v1/SloReport.ts';
export type { CostReport, CostReport__Output } from './gen/switchyard/telemetry/v1/CostReport.ts';

export type { GatewayStatusResponse, GatewayStatusResponse__Output } from './gen/switchyard/gateway/v1/GatewayStatusResponse.ts';
export type { GatewayHandlers, GatewayClient } from './gen/switchyard/gateway/v1/Gateway.ts';
export type { DecisionRecord, DecisionRecord__Output } from './gen/switchyard/gateway/v1/DecisionRecord.ts';
export type { InferRequestHeader, InferRequestHeader__Output } from './gen/switchyard/gateway/v1/InferRequestHeader.ts';
export type { CandidateSummary, CandidateSummary__Output } from './gen/switchyard/gateway/v1/CandidateSummary.ts';
export type { AttemptRecord, AttemptRecord__Output } from './gen/switchyard/gateway/v1/AttemptRecord.ts';
export type { ExplainRequestRequest, ExplainRequestRequest__Output } from './gen/switchyard/gateway/v1/ExplainRequestRequest.ts';
export type { ApplyPolicyRequest, ApplyPolicyRequest__Output } from './gen/switchyard/policy/v1/ApplyPolicyRequest.ts';
export type { ApplyPolicyResponse, ApplyPolicyResponse__Output } from './gen/switchyard/policy/v1/ApplyPolicyResponse.ts';
export type { GetPolicyResponse, GetPolicyResponse__Output } from './gen/switchyard/policy/v1/GetPolicyResponse.ts';
export type { PolicyBundle, PolicyBundle__Output } from './gen/switchyard/policy/v1/PolicyBundle.ts';
export type { AuditEvent, AuditEvent__Output } from './gen/switchyard/policy/v1/AuditEvent.ts';

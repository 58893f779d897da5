// Original file: switchyard/telemetry/v1/telemetry.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CostReport as _switchyard_telemetry_v1_CostReport, CostReport__Output as _switchyard_telemetry_v1_CostReport__Output } from '../../../switchyard/telemetry/v1/CostReport';
import type { GetCostRequest as _switchyard_telemetry_v1_GetCostRequest, GetCostRequest__Output as _switchyard_telemetry_v1_GetCostRequest__Output } from '../../../switchyard/telemetry/v1/GetCostRequest';
import type { GetSeriesRequest as _switchyard_telemetry_v1_GetSeriesRequest, GetSeriesRequest__Output as _switchyard_telemetry_v1_GetSeriesRequest__Output } from '../../../switchyard/telemetry/v1/GetSeriesRequest';
import type { GetSloRequest as _switchyard_telemetry_v1_GetSloRequest, GetSloRequest__Output as _switchyard_telemetry_v1_GetSloRequest__Output } from '../../../switchyard/telemetry/v1/GetSloRequest';
import type { GetSummaryRequest as _switchyard_telemetry_v1_GetSummaryRequest, GetSummaryRequest__Output as _switchyard_telemetry_v1_GetSummaryRequest__Output } from '../../../switchyard/telemetry/v1/GetSummaryRequest';
import type { SeriesSet as _switchyard_telemetry_v1_SeriesSet, SeriesSet__Output as _switchyard_telemetry_v1_SeriesSet__Output } from '../../../switchyard/telemetry/v1/SeriesSet';
import type { SloReport as _switchyard_telemetry_v1_SloReport, SloReport__Output as _switchyard_telemetry_v1_SloReport__Output } from '../../../switchyard/telemetry/v1/SloReport';
import type { Summary as _switchyard_telemetry_v1_Summary, Summary__Output as _switchyard_telemetry_v1_Summary__Output } from '../../../switchyard/telemetry/v1/Summary';

export interface TelemetryClient extends grpc.Client {
  GetCost(argument: _switchyard_telemetry_v1_GetCostRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_telemetry_v1_CostReport__Output>): grpc.ClientUnaryCall;
  GetCost(argument: _switchyard_telemetry_v1_GetCostRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_telemetry_v1_CostReport__Output>): grpc.ClientUnaryCall;
  GetCost(argument: _switchyard_telemetry_v1_GetCostRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_telemetry_v1_CostReport__Output>): grpc.ClientUnaryCall;
  GetCost(argument: _switchyard_telemetry_v1_GetCostRequest, callback: grpc.requestCallback<_switchyard_telemetry_v1_CostReport__Output>): grpc.ClientUnaryCall;
  getCost(argument: _switchyard_telemetry_v1_GetCostRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_telemetry_v1_CostReport__Output>): grpc.ClientUnaryCall;
  getCost(argument: _switchyard_telemetry_v1_GetCostRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_telemetry_v1_CostReport__Output>): grpc.ClientUnaryCall;
  getCost(argument: _switchyard_telemetry_v1_GetCostRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_telemetry_v1_CostReport__Output>): grpc.ClientUnaryCall;
  getCost(argument: _switchyard_telemetry_v1_GetCostRequest, callback: grpc.requestCallback<_switchyard_telemetry_v1_CostReport__Output>): grpc.ClientUnaryCall;
  
  GetSeries(argument: _switchyard_telemetry_v1_GetSeriesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_telemetry_v1_SeriesSet__Output>): grpc.ClientUnaryCall;
  GetSeries(argument: _switchyard_telemetry_v1_GetSeriesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_telemetry_v1_SeriesSet__Output>): grpc.ClientUnaryCall;
  GetSeries(argument: _switchyard_telemetry_v1_GetSeriesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_telemetry_v1_SeriesSet__Output>): grpc.ClientUnaryCall;
  GetSeries(argument: _switchyard_telemetry_v1_GetSeriesRequest, callback: grpc.requestCallback<_switchyard_telemetry_v1_SeriesSet__Output>): grpc.ClientUnaryCall;
  getSeries(argument: _switchyard_telemetry_v1_GetSeriesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_telemetry_v1_SeriesSet__Output>): grpc.ClientUnaryCall;
  getSeries(argument: _switchyard_telemetry_v1_GetSeriesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_telemetry_v1_SeriesSet__Output>): grpc.ClientUnaryCall;
  getSeries(argument: _switchyard_telemetry_v1_GetSeriesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_telemetry_v1_SeriesSet__Output>): grpc.ClientUnaryCall;
  getSeries(argument: _switchyard_telemetry_v1_GetSeriesRequest, callback: grpc.requestCallback<_switchyard_telemetry_v1_SeriesSet__Output>): grpc.ClientUnaryCall;
  
  GetSlo(argument: _switchyard_telemetry_v1_GetSloRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_telemetry_v1_SloReport__Output>): grpc.ClientUnaryCall;
  GetSlo(argument: _switchyard_telemetry_v1_GetSloRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_telemetry_v1_SloReport__Output>): grpc.ClientUnaryCall;
  GetSlo(argument: _switchyard_telemetry_v1_GetSloRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_telemetry_v1_SloReport__Output>): grpc.ClientUnaryCall;
  GetSlo(argument: _switchyard_telemetry_v1_GetSloRequest, callback: grpc.requestCallback<_switchyard_telemetry_v1_SloReport__Output>): grpc.ClientUnaryCall;
  getSlo(argument: _switchyard_telemetry_v1_GetSloRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_telemetry_v1_SloReport__Output>): grpc.ClientUnaryCall;
  getSlo(argument: _switchyard_telemetry_v1_GetSloRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_telemetry_v1_SloReport__Output>): grpc.ClientUnaryCall;
  getSlo(argument: _switchyard_telemetry_v1_GetSloRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_telemetry_v1_SloReport__Output>): grpc.ClientUnaryCall;
  getSlo(argument: _switchyard_telemetry_v1_GetSloRequest, callback: grpc.requestCallback<_switchyard_telemetry_v1_SloReport__Output>): grpc.ClientUnaryCall;
  
  GetSummary(argument: _switchyard_telemetry_v1_GetSummaryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_telemetry_v1_Summary__Output>): grpc.ClientUnaryCall;
  GetSummary(argument: _switchyard_telemetry_v1_GetSummaryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_telemetry_v1_Summary__Output>): grpc.ClientUnaryCall;
  GetSummary(argument: _switchyard_telemetry_v1_GetSummaryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_telemetry_v1_Summary__Output>): grpc.ClientUnaryCall;
  GetSummary(argument: _switchyard_telemetry_v1_GetSummaryRequest, callback: grpc.requestCallback<_switchyard_telemetry_v1_Summary__Output>): grpc.ClientUnaryCall;
  getSummary(argument: _switchyard_telemetry_v1_GetSummaryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_telemetry_v1_Summary__Output>): grpc.ClientUnaryCall;
  getSummary(argument: _switchyard_telemetry_v1_GetSummaryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_telemetry_v1_Summary__Output>): grpc.ClientUnaryCall;
  getSummary(argument: _switchyard_telemetry_v1_GetSummaryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_telemetry_v1_Summary__Output>): grpc.ClientUnaryCall;
  getSummary(argument: _switchyard_telemetry_v1_GetSummaryRequest, callback: grpc.requestCallback<_switchyard_telemetry_v1_Summary__Output>): grpc.ClientUnaryCall;
  
}

export interface TelemetryHandlers extends grpc.UntypedServiceImplementation {
  GetCost: grpc.handleUnaryCall<_switchyard_telemetry_v1_GetCostRequest__Output, _switchyard_telemetry_v1_CostReport>;
  
  GetSeries: grpc.handleUnaryCall<_switchyard_telemetry_v1_GetSeriesRequest__Output, _switchyard_telemetry_v1_SeriesSet>;
  
  GetSlo: grpc.handleUnaryCall<_switchyard_telemetry_v1_GetSloRequest__Output, _switchyard_telemetry_v1_SloReport>;
  
  GetSummary: grpc.handleUnaryCall<_switchyard_telemetry_v1_GetSummaryRequest__Output, _switchyard_telemetry_v1_Summary>;
  
}

export interface TelemetryDefinition extends grpc.ServiceDefinition {
  GetCost: MethodDefinition<_switchyard_telemetry_v1_GetCostRequest, _switchyard_telemetry_v1_CostReport, _switchyard_telemetry_v1_GetCostRequest__Output, _switchyard_telemetry_v1_CostReport__Output>
  GetSeries: MethodDefinition<_switchyard_telemetry_v1_GetSeriesRequest, _switchyard_telemetry_v1_SeriesSet, _switchyard_telemetry_v1_GetSeriesRequest__Output, _switchyard_telemetry_v1_SeriesSet__Output>
  GetSlo: MethodDefinition<_switchyard_telemetry_v1_GetSloRequest, _switchyard_telemetry_v1_SloReport, _switchyard_telemetry_v1_GetSloRequest__Output, _switchyard_telemetry_v1_SloReport__Output>
  GetSummary: MethodDefinition<_switchyard_telemetry_v1_GetSummaryRequest, _switchyard_telemetry_v1_Summary, _switchyard_telemetry_v1_GetSummaryRequest__Output, _switchyard_telemetry_v1_Summary__Output>
}

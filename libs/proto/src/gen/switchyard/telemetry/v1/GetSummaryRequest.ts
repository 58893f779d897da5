// Original file: switchyard/telemetry/v1/telemetry.proto


export interface GetSummaryRequest {
  'window_seconds'?: (number);
}

export interface GetSummaryRequest__Output {
  'window_seconds': (number);
}

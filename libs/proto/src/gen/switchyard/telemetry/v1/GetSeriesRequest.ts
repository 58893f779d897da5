// Original file: switchyard/telemetry/v1/telemetry.proto


export interface GetSeriesRequest {
  'model'?: (string);
  'pool'?: (string);
  'slots'?: (number);
}

export interface GetSeriesRequest__Output {
  'model': (string);
  'pool': (string);
  'slots': (number);
}

// Original file: switchyard/telemetry/v1/telemetry.proto


export interface GetSloRequest {
  'model'?: (string);
}

export interface GetSloRequest__Output {
  'model': (string);
}

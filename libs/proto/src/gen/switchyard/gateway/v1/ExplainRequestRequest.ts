// Original file: switchyard/gateway/v1/gateway.proto


export interface ExplainRequestRequest {
  'request_id'?: (string);
}

export interface ExplainRequestRequest__Output {
  'request_id': (string);
}

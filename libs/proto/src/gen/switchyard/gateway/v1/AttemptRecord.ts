// Original file: switchyard/gateway/v1/gateway.proto


export interface AttemptRecord {
  'executor_id'?: (string);
  'status'?: (string);
}

export interface AttemptRecord__Output {
  'executor_id': (string);
  'status': (string);
}

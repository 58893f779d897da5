// Original file: switchyard/executor/v1/executor.proto


export interface LoadModelRequest {
  'name'?: (string);
  'versions'?: (string)[];
}

export interface LoadModelRequest__Output {
  'name': (string);
  'versions': (string)[];
}

// Original file: switchyard/executor/v1/executor.proto


export interface UnloadModelRequest {
  'name'?: (string);
  'versions'?: (string)[];
}

export interface UnloadModelRequest__Output {
  'name': (string);
  'versions': (string)[];
}

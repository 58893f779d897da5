// Original file: switchyard/executor/v1/executor.proto


export interface LoadModelResponse {
  'loaded_versions'?: (string)[];
}

export interface LoadModelResponse__Output {
  'loaded_versions': (string)[];
}

// Original file: switchyard/executor/v1/executor.proto


export interface UnloadModelResponse {
  'unloaded_versions'?: (string)[];
}

export interface UnloadModelResponse__Output {
  'unloaded_versions': (string)[];
}

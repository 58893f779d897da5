// Original file: switchyard/executor/v1/executor.proto


export interface Device {
  'execution_provider'?: (string);
  'cpu_fallback'?: (boolean);
  'fallback_reason'?: (string);
  'name'?: (string);
  'cores'?: (number);
}

export interface Device__Output {
  'execution_provider': (string);
  'cpu_fallback': (boolean);
  'fallback_reason': (string);
  'name': (string);
  'cores': (number);
}

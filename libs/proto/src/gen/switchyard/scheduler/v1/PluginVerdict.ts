// Original file: switchyard/scheduler/v1/scheduler.proto


export interface PluginVerdict {
  'plugin'?: (string);
  'passed'?: (boolean);
  'score'?: (number | string);
  'reason'?: (string);
}

export interface PluginVerdict__Output {
  'plugin': (string);
  'passed': (boolean);
  'score': (number);
  'reason': (string);
}

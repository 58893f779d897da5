// Original file: switchyard/executor/v1/executor.proto


export interface ServiceTime {
  'batch_size'?: (number);
  'ms'?: (number | string);
}

export interface ServiceTime__Output {
  'batch_size': (number);
  'ms': (number);
}

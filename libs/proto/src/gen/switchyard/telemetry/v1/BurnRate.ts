// Original file: switchyard/telemetry/v1/telemetry.proto


export interface BurnRate {
  'name'?: (string);
  'long_window_seconds'?: (number);
  'short_window_seconds'?: (number);
  'long_burn'?: (number | string);
  'short_burn'?: (number | string);
  'threshold'?: (number | string);
  'firing'?: (boolean);
}

export interface BurnRate__Output {
  'name': (string);
  'long_window_seconds': (number);
  'short_window_seconds': (number);
  'long_burn': (number);
  'short_burn': (number);
  'threshold': (number);
  'firing': (boolean);
}

// Original file: switchyard/telemetry/v1/telemetry.proto

import type { SeriesPoint as _switchyard_telemetry_v1_SeriesPoint, SeriesPoint__Output as _switchyard_telemetry_v1_SeriesPoint__Output } from '../../../switchyard/telemetry/v1/SeriesPoint';

export interface Series {
  'model'?: (string);
  'pool'?: (string);
  'points'?: (_switchyard_telemetry_v1_SeriesPoint)[];
}

export interface Series__Output {
  'model': (string);
  'pool': (string);
  'points': (_switchyard_telemetry_v1_SeriesPoint__Output)[];
}

// Original file: switchyard/telemetry/v1/telemetry.proto

import type { Series as _switchyard_telemetry_v1_Series, Series__Output as _switchyard_telemetry_v1_Series__Output } from '../../../switchyard/telemetry/v1/Series';

export interface SeriesSet {
  'slot_seconds'?: (number);
  'series'?: (_switchyard_telemetry_v1_Series)[];
}

export interface SeriesSet__Output {
  'slot_seconds': (number);
  'series': (_switchyard_telemetry_v1_Series__Output)[];
}

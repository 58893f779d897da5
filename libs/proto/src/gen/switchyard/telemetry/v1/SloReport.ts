// Original file: switchyard/telemetry/v1/telemetry.proto

import type { SloStatus as _switchyard_telemetry_v1_SloStatus, SloStatus__Output as _switchyard_telemetry_v1_SloStatus__Output } from '../../../switchyard/telemetry/v1/SloStatus';

export interface SloReport {
  'models'?: (_switchyard_telemetry_v1_SloStatus)[];
  'window_seconds'?: (number);
}

export interface SloReport__Output {
  'models': (_switchyard_telemetry_v1_SloStatus__Output)[];
  'window_seconds': (number);
}

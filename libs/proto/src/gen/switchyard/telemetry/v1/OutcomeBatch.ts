// Original file: switchyard/telemetry/v1/telemetry.proto

import type { Outcome as _switchyard_telemetry_v1_Outcome, Outcome__Output as _switchyard_telemetry_v1_Outcome__Output } from '../../../switchyard/telemetry/v1/Outcome';

export interface OutcomeBatch {
  'outcomes'?: (_switchyard_telemetry_v1_Outcome)[];
  'gateway_id'?: (string);
}

export interface OutcomeBatch__Output {
  'outcomes': (_switchyard_telemetry_v1_Outcome__Output)[];
  'gateway_id': (string);
}

// Original file: switchyard/telemetry/v1/telemetry.proto

import type { CostLine as _switchyard_telemetry_v1_CostLine, CostLine__Output as _switchyard_telemetry_v1_CostLine__Output } from '../../../switchyard/telemetry/v1/CostLine';

export interface CostReport {
  'month'?: (string);
  'lines'?: (_switchyard_telemetry_v1_CostLine)[];
  'total_month_to_date'?: (number | string);
  'total_forecast_month_end'?: (number | string);
  'forecast_method'?: (string);
}

export interface CostReport__Output {
  'month': (string);
  'lines': (_switchyard_telemetry_v1_CostLine__Output)[];
  'total_month_to_date': (number);
  'total_forecast_month_end': (number);
  'forecast_method': (string);
}

// Original file: switchyard/telemetry/v1/telemetry.proto

import type { Long } from '@grpc/proto-loader';

export interface CostLine {
  'tenant'?: (string);
  'model'?: (string);
  'pool'?: (string);
  'month_to_date'?: (number | string);
  'forecast_month_end'?: (number | string);
  'requests'?: (number | string | Long);
}

export interface CostLine__Output {
  'tenant': (string);
  'model': (string);
  'pool': (string);
  'month_to_date': (number);
  'forecast_month_end': (number);
  'requests': (number);
}

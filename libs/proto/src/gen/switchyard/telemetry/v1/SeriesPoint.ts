// Original file: switchyard/telemetry/v1/telemetry.proto

import type { Long } from '@grpc/proto-loader';

export interface SeriesPoint {
  'start_ms'?: (number | string | Long);
  'arrivals'?: (number | string | Long);
  'errors'?: (number | string | Long);
  'bad'?: (number | string | Long);
  'p99_ms'?: (number | string);
  'rate_per_s'?: (number | string);
}

export interface SeriesPoint__Output {
  'start_ms': (number);
  'arrivals': (number);
  'errors': (number);
  'bad': (number);
  'p99_ms': (number);
  'rate_per_s': (number);
}

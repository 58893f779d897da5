// Original file: switchyard/telemetry/v1/telemetry.proto

import type { Long } from '@grpc/proto-loader';

export interface GroupStats {
  'key'?: (string);
  'requests'?: (number | string | Long);
  'errors'?: (number | string | Long);
  'p50_ms'?: (number | string);
  'p99_ms'?: (number | string);
}

export interface GroupStats__Output {
  'key': (string);
  'requests': (number);
  'errors': (number);
  'p50_ms': (number);
  'p99_ms': (number);
}

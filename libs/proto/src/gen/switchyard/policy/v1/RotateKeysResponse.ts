// Original file: switchyard/policy/v1/policy.proto

import type { Long } from '@grpc/proto-loader';

export interface RotateKeysResponse {
  'next_kid'?: (string);
  'signs_from_ms'?: (number | string | Long);
  'current_kid'?: (string);
  'previous_until_ms'?: (number | string | Long);
  'dropped_kid'?: (string);
}

export interface RotateKeysResponse__Output {
  'next_kid': (string);
  'signs_from_ms': (number);
  'current_kid': (string);
  'previous_until_ms': (number);
  'dropped_kid': (string);
}

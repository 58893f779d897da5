// Original file: switchyard/policy/v1/policy.proto

import type { Long } from '@grpc/proto-loader';

export interface SigningKeysChanged {
  'kids'?: (string)[];
  'changed_at_ms'?: (number | string | Long);
}

export interface SigningKeysChanged__Output {
  'kids': (string)[];
  'changed_at_ms': (number);
}

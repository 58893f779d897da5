// Original file: switchyard/policy/v1/policy.proto

import type { Long } from '@grpc/proto-loader';

export interface ApplyPolicyResponse {
  'version'?: (number | string | Long);
  'sha256'?: (string);
  'applied_at_ms'?: (number | string | Long);
}

export interface ApplyPolicyResponse__Output {
  'version': (number);
  'sha256': (string);
  'applied_at_ms': (number);
}

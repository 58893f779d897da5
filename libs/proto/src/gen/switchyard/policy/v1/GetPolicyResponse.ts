// Original file: switchyard/policy/v1/policy.proto

import type { Long } from '@grpc/proto-loader';

export interface GetPolicyResponse {
  'version'?: (number | string | Long);
  'document'?: (string);
  'sha256'?: (string);
  'applied_at_ms'?: (number | string | Long);
  'applied_by'?: (string);
}

export interface GetPolicyResponse__Output {
  'version': (number);
  'document': (string);
  'sha256': (string);
  'applied_at_ms': (number);
  'applied_by': (string);
}

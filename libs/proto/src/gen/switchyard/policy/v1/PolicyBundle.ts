// Original file: switchyard/policy/v1/policy.proto

import type { Long } from '@grpc/proto-loader';

export interface PolicyBundle {
  'version'?: (number | string | Long);
  'document_json'?: (string);
  'sha256'?: (string);
  'applied_at_ms'?: (number | string | Long);
  'applied_by'?: (string);
}

export interface PolicyBundle__Output {
  'version': (number);
  'document_json': (string);
  'sha256': (string);
  'applied_at_ms': (number);
  'applied_by': (string);
}

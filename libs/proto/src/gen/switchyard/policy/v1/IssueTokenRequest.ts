// Original file: switchyard/policy/v1/policy.proto

import type { Long } from '@grpc/proto-loader';

export interface IssueTokenRequest {
  'tenant'?: (string);
  'roles'?: (string)[];
  'audience'?: (string);
  'ttl_seconds'?: (number | string | Long);
  'subject'?: (string);
}

export interface IssueTokenRequest__Output {
  'tenant': (string);
  'roles': (string)[];
  'audience': (string);
  'ttl_seconds': (number);
  'subject': (string);
}

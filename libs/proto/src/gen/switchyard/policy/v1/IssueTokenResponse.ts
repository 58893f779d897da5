// Original file: switchyard/policy/v1/policy.proto

import type { Long } from '@grpc/proto-loader';

export interface IssueTokenResponse {
  'token'?: (string);
  'expires_at'?: (number | string | Long);
  'kid'?: (string);
}

export interface IssueTokenResponse__Output {
  'token': (string);
  'expires_at': (number);
  'kid': (string);
}

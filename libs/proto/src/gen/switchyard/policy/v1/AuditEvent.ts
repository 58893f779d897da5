// Original file: switchyard/policy/v1/policy.proto

import type { Long } from '@grpc/proto-loader';

export interface AuditEvent {
  'id'?: (string);
  'at_ms'?: (number | string | Long);
  'kind'?: (string);
  'actor'?: (string);
  'tenant'?: (string);
  'rule'?: (string);
  'decision'?: (string);
  'code'?: (string);
  'reason'?: (string);
  'trace_id'?: (string);
  'model'?: (string);
  'request_id'?: (string);
  'policy_version'?: (number | string | Long);
  'source'?: (string);
}

export interface AuditEvent__Output {
  'id': (string);
  'at_ms': (number);
  'kind': (string);
  'actor': (string);
  'tenant': (string);
  'rule': (string);
  'decision': (string);
  'code': (string);
  'reason': (string);
  'trace_id': (string);
  'model': (string);
  'request_id': (string);
  'policy_version': (number);
  'source': (string);
}

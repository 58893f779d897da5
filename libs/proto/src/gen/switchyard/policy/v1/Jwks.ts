// Original file: switchyard/policy/v1/policy.proto

import type { Jwk as _switchyard_policy_v1_Jwk, Jwk__Output as _switchyard_policy_v1_Jwk__Output } from '../../../switchyard/policy/v1/Jwk';

export interface Jwks {
  'keys'?: (_switchyard_policy_v1_Jwk)[];
  'issuer'?: (string);
}

export interface Jwks__Output {
  'keys': (_switchyard_policy_v1_Jwk__Output)[];
  'issuer': (string);
}

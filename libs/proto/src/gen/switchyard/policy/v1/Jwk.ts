// Original file: switchyard/policy/v1/policy.proto


export interface Jwk {
  'kty'?: (string);
  'crv'?: (string);
  'x'?: (string);
  'y'?: (string);
  'kid'?: (string);
  'alg'?: (string);
  'use'?: (string);
}

export interface Jwk__Output {
  'kty': (string);
  'crv': (string);
  'x': (string);
  'y': (string);
  'kid': (string);
  'alg': (string);
  'use': (string);
}

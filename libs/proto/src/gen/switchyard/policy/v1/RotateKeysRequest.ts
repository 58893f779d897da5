// Original file: switchyard/policy/v1/policy.proto


export interface RotateKeysRequest {
  'force'?: (boolean);
  'actor'?: (string);
}

export interface RotateKeysRequest__Output {
  'force': (boolean);
  'actor': (string);
}

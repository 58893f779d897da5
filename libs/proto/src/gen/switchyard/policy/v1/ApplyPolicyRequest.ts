// Original file: switchyard/policy/v1/policy.proto


export interface ApplyPolicyRequest {
  'document'?: (string);
  'actor'?: (string);
}

export interface ApplyPolicyRequest__Output {
  'document': (string);
  'actor': (string);
}

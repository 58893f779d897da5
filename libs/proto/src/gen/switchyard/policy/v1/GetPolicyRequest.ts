// Original file: switchyard/policy/v1/policy.proto


export interface GetPolicyRequest {
}

export interface GetPolicyRequest__Output {
}

// Original file: switchyard/policy/v1/policy.proto


export interface GetJwksRequest {
}

export interface GetJwksRequest__Output {
}

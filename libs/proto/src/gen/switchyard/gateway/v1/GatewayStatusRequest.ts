// Original file: switchyard/gateway/v1/gateway.proto


export interface GatewayStatusRequest {
}

export interface GatewayStatusRequest__Output {
}

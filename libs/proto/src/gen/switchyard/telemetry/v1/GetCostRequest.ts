// Original file: switchyard/telemetry/v1/telemetry.proto


export interface GetCostRequest {
}

export interface GetCostRequest__Output {
}

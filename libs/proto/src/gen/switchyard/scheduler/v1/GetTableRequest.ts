// Original file: switchyard/scheduler/v1/scheduler.proto


export interface GetTableRequest {
}

export interface GetTableRequest__Output {
}

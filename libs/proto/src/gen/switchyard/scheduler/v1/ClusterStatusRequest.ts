// Original file: switchyard/scheduler/v1/scheduler.proto


export interface ClusterStatusRequest {
}

export interface ClusterStatusRequest__Output {
}

// Original file: switchyard/executor/v1/executor.proto


export interface DescribeRequest {
}

export interface DescribeRequest__Output {
}

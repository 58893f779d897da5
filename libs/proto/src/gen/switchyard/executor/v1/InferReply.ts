// Original file: switchyard/executor/v1/executor.proto

import type { ModelInferResponse as _inference_ModelInferResponse, ModelInferResponse__Output as _inference_ModelInferResponse__Output } from '../../../inference/ModelInferResponse';

export interface InferReply {
  'seq'?: (number);
  'response'?: (_inference_ModelInferResponse | null);
  'code'?: (number);
  'message'?: (string);
}

export interface InferReply__Output {
  'seq': (number);
  'response': (_inference_ModelInferResponse__Output | null);
  'code': (number);
  'message': (string);
}

// Original file: switchyard/executor/v1/executor.proto

import type { ModelInferRequest as _inference_ModelInferRequest, ModelInferRequest__Output as _inference_ModelInferRequest__Output } from '../../../inference/ModelInferRequest';

export interface InferFrame {
  'seq'?: (number);
  'request'?: (_inference_ModelInferRequest | null);
  'timeout_ms'?: (number | string);
  'traceparent'?: (string);
  'tracestate'?: (string);
  'background'?: (boolean);
}

export interface InferFrame__Output {
  'seq': (number);
  'request': (_inference_ModelInferRequest__Output | null);
  'timeout_ms': (number);
  'traceparent': (string);
  'tracestate': (string);
  'background': (boolean);
}

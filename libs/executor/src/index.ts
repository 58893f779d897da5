// @switchyard/executor: the one executor library behind gpu-executor and cpu-executor.
export { ExecutorEngine, EngineStartError, sessionOptionsFor, defaultIntraOpThreads } from './engine.ts';
export type { EngineOptions, InferOptions, PoolName, BatchRecord } from './engine.ts';
export { executorMetrics, BATCH_SIZE_BUCKETS, EXECUTOR_DURATION_BUCKETS_S } from './metrics.ts';
export { ExecutorError, toServiceError } from './errors.ts';
export { InferStreamServer, EXECUTOR_INFER_STREAM_PATH, type InferStreamOptions } from './infer-stream.ts';
export {
  decodeRequest, encodeOutputs, concatRows, sliceRows, zeros, makeTensor, tensorBytes, toTensor, RawInput, type Feed,
  OIP_DATATYPES, ORT_TO_OIP, OIP_TO_ORT, ELEMENT_SIZE, CONTENTS_FIELD,
} from './codec.ts';
export type { TensorMeta, OipDatatype, DecodedRequest, EncodedOutputs } from './codec.ts';
export {
  prepareBundledRepository, readModelConfig, listModels, listVersions, selectVersions, modelFile,
  modelConfigSchema, RepositoryError, BUNDLED_MLP, bundledMlpSeed,
} from './repository.ts';
export type { ModelConfig } from './repository.ts';
export { createExecutorService, runExecutorService, executorSettings } from './service.ts';
export type { ExecutorService, ExecutorServiceOptions } from './service.ts';

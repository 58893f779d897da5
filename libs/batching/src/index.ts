export { BatchQueue, validateConfig } from './queue.ts';
export type { BatcherConfig, Pending, EnqueueResult, PollResult, PollOptions } from './queue.ts';
export { DynamicBatcher, BatchError } from './driver.ts';
export type { BatcherDeps, SubmitOptions, BatcherStats, BatchErrorCode } from './driver.ts';
export { shapeKey } from './shape.ts';
export type { ShapeInput } from './shape.ts';

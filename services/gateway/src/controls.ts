// Request controls read from an Open Inference Protocol request: priority, timeout (µs, as
// Triton clients send it), pool preference; combined with the gRPC deadline.
import type { InferParameter__Output } from '@switchyard/proto';
import * as grpc from '@grpc/grpc-js';
import { StatusError } from './errors.ts';

/**
 * Priorities follow Triton's convention, as its clients send them: level 1 is the highest,
 * larger numbers are lower, and 0 (or none) means the default level. The executors read the
 * same parameter the same way.
 */
export const DEFAULT_PRIORITY_LEVEL = 2;
export const MAX_PRIORITY_LEVEL = 15;

export interface RequestControls {
  /** The effective priority level: 1 (highest) .. 15; the default level when the request gave 0 or none. */
  priority: number;
  poolPreference: 'auto' | 'gpu' | 'cpu';
  /** Absolute deadline, epoch ms; undefined when the caller gave none. */
  deadlineAtMs: number | undefined;
}

/** Longest budget a request may ask for (1 hour): anything above is a malformed timeout. */
const MAX_BUDGET_MS = 3_600_000;

function num(p: InferParameter__Output | undefined): number | undefined {
  if (!p) return undefined;
  switch (p.parameter_choice) {
    case 'int64_param': return Number(p.int64_param);
    case 'uint64_param': return Number(p.uint64_param);
    case 'double_param': return p.double_param;
    case 'string_param': return (p.string_param ?? '').trim() === '' ? Number.NaN : Number(p.string_param);
    default: return Number.NaN;
  }
}

export function readControls(params: Record<string, InferParameter__Output>, grpcDeadline: grpc.Deadline, nowMs: number): RequestControls {
  let priority = DEFAULT_PRIORITY_LEVEL;
  const pr = num(params.priority);
  if (pr !== undefined) {
    if (!Number.isInteger(pr) || pr < 0 || pr > MAX_PRIORITY_LEVEL) throw new StatusError(grpc.status.INVALID_ARGUMENT, `parameter 'priority' must be an integer from 1 (highest) to ${MAX_PRIORITY_LEVEL}, or 0 for the default level (${DEFAULT_PRIORITY_LEVEL}), got ${JSON.stringify(params.priority)}`);
    if (pr > 0) priority = pr;
  }
  let poolPreference: RequestControls['poolPreference'] = 'auto';
  const pool = params.pool;
  if (pool) {
    const v = pool.parameter_choice === 'string_param' ? pool.string_param ?? '' : '';
    if (v !== 'auto' && v !== 'gpu' && v !== 'cpu') throw new StatusError(grpc.status.INVALID_ARGUMENT, `parameter 'pool' must be "auto", "gpu" or "cpu"`);
    poolPreference = v;
  }
  let deadlineAtMs: number | undefined;
  const d = grpcDeadline instanceof Date ? grpcDeadline.getTime() : grpcDeadline;
  if (Number.isFinite(d)) deadlineAtMs = d;
  const t = num(params.timeout);
  if (t !== undefined) {
    if (!Number.isFinite(t) || t <= 0 || t / 1000 > MAX_BUDGET_MS) throw new StatusError(grpc.status.INVALID_ARGUMENT, `parameter 'timeout' must be a positive number of microseconds up to ${MAX_BUDGET_MS * 1000}`);
    const at = nowMs + t / 1000;
    deadlineAtMs = deadlineAtMs === undefined ? at : Math.min(deadlineAtMs, at);
  }
  return { priority, poolPreference, deadlineAtMs };
}

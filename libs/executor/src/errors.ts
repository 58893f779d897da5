// Errors the executor throws: each carries the gRPC status code and a precise message.
import { status, Metadata, type ServiceError } from '@grpc/grpc-js';

export class ExecutorError extends Error {
  override name = 'ExecutorError';
  readonly code: status;
  readonly details: string;
  constructor(code: status, details: string) {
    super(details);
    this.code = code;
    this.details = details;
  }
}

export const invalid = (msg: string) => new ExecutorError(status.INVALID_ARGUMENT, msg);
export const notFound = (msg: string) => new ExecutorError(status.NOT_FOUND, msg);
export const exhausted = (msg: string) => new ExecutorError(status.RESOURCE_EXHAUSTED, msg);
export const deadline = (msg: string) => new ExecutorError(status.DEADLINE_EXCEEDED, msg);
export const unavailable = (msg: string) => new ExecutorError(status.UNAVAILABLE, msg);
export const precondition = (msg: string) => new ExecutorError(status.FAILED_PRECONDITION, msg);

/** Anything thrown -> a grpc-js ServiceError (unknown errors become INTERNAL, message kept). */
export function toServiceError(e: unknown): Partial<ServiceError> & { code: status; details: string } {
  if (e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'number' && (e as { code: number }).code in status) {
    const err = e as { code: status; details?: string; message?: string };
    const details = err.details ?? err.message ?? String(e);
    return { code: err.code, details, message: details, metadata: new Metadata() };
  }
  const details = e instanceof Error ? e.message : String(e);
  return { code: status.INTERNAL, details: `internal error: ${details}`, message: details, metadata: new Metadata() };
}

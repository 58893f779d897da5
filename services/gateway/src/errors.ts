import * as grpc from '@grpc/grpc-js';

/** An error that carries its gRPC status to the caller. */
export class StatusError extends Error {
  readonly code: grpc.status;
  readonly metadata: grpc.Metadata | undefined;
  constructor(code: grpc.status, details: string, metadata?: grpc.Metadata) {
    super(details);
    this.code = code;
    this.metadata = metadata;
  }
}

/** Placement found no executor for the request (the reason is the placement core's), as opposed
 *  to an executor's own answer. */
export class PlacementRefused extends StatusError {}

export function toServiceError(e: unknown): Partial<grpc.ServiceError> {
  if (e instanceof StatusError) return { code: e.code, details: e.message, ...(e.metadata ? { metadata: e.metadata } : {}) };
  const any = e as { code?: unknown; details?: unknown; message?: unknown };
  if (typeof any?.code === 'number' && any.code >= 0 && any.code <= 16) {
    return { code: any.code, details: String(any.details ?? any.message ?? 'error') };
  }
  if (typeof any?.code === 'string' && any.code in grpc.status) {
    return { code: grpc.status[any.code as keyof typeof grpc.status] as grpc.status, details: String(any.message ?? 'error') };
  }
  return { code: grpc.status.INTERNAL, details: `internal error: ${String(any?.message ?? e)}` };
}

export function statusName(code: number): string {
  return (grpc.status as unknown as Record<number, string>)[code] ?? String(code);
}

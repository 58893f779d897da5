import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's proto/ directory: the single source of every contract. */
export const PROTO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../proto');

/** The .proto files that make up Switchyard's contracts (relative to PROTO_ROOT). */
export const PROTO_FILES = [
  'inference/grpc_service.proto',
  'switchyard/executor/v1/executor.proto',
  'switchyard/scheduler/v1/scheduler.proto',
  'switchyard/policy/v1/policy.proto',
  'switchyard/telemetry/v1/telemetry.proto',
  'switchyard/gateway/v1/gateway.proto',
  'keda/externalscaler.proto',
] as const;

/**
 * Loader options. The generated TypeScript types (src/gen) are made with the same options
 * (see codegen.ts): change both together, or the drift test fails.
 */
export const LOADER_OPTIONS: {
  keepCase: true; longs: NumberConstructor; enums: StringConstructor; defaults: true; arrays: true; oneofs: true; includeDirs: string[];
} = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

/** proto-loader-gen-types flags matching LOADER_OPTIONS. */
export const CODEGEN_FLAGS = ['--keepCase', '--longs=Number', '--enums=String', '--defaults', '--arrays', '--oneofs', '--grpcLib=@grpc/grpc-js'];

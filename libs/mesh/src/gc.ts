// Garbage collection tuned for processes that move tensors over gRPC.
//
// Every tensor a mesh process receives arrives as ArrayBuffers (HTTP/2 DATA chunks, grpc-js's
// reassembled message, the executor's copy for its session worker) that live for a few ms. V8
// counts their bytes as "external memory" and, by default, starts a full mark-compact whenever that
// count has grown 64 MiB since the last one, however little of it is still alive: a CPU executor
// receiving 110 KB ocr_cls requests ran a mark-compact every ~140 requests, each marking its whole
// ~35 MB heap, on the main thread and V8's helper threads (a quarter of the executor's CPU).
// With `--external-memory-accounted-in-global-limit`, V8 counts external memory into its global
// limit, which grows with the heap, and scavenges free the short-lived buffers first. Measured on a
// 2-core machine, a bare mTLS gRPC server receiving 110 KB messages: 30 → 7 mark-compacts per 4,000
// requests, 535 → 375-435 µs CPU per request (docs/benchmarks.md). The flag is set at run time
// (V8 reads it on each limit computation) because Node does not accept V8 flags in NODE_OPTIONS.
// The cost is memory held a little longer: a CPU executor under ocr_cls load at c=64 held
// 490-500 MB resident with V8's default, 520-600 MB with the flag.
//
// SY_V8_EXTERNAL_MEMORY_IN_GLOBAL_LIMIT=false keeps V8's default.
import v8 from 'node:v8';

export const GC_FLAG = '--external-memory-accounted-in-global-limit';

let applied: boolean | undefined;

/**
 * Sets the V8 flag above once per process (idempotent); returns whether it is on. Called by every
 * MeshServer and mesh client, so any process that speaks the mesh gets it.
 */
export function tuneGcForTensorTraffic(env: NodeJS.ProcessEnv = process.env): boolean {
  if (applied !== undefined) return applied;
  applied = !/^(0|false|no|off)$/i.test(env.SY_V8_EXTERNAL_MEMORY_IN_GLOBAL_LIMIT ?? '');
  if (applied) v8.setFlagsFromString(GC_FLAG);
  return applied;
}

// The one declared authorization table of the mesh: which workloads (by SPIFFE ID path in
// spiffe://switchyard.local/<name>) may call which gRPC method. Keys are a full method path
// ('/pkg.Service/Method') or a service wildcard ('/pkg.Service/*'). A method matched by neither is
// denied (default deny). An exact method entry takes precedence over its service's wildcard.
import { WORKLOADS } from './identity.ts';

/** The one declared authorization table: full method path ('/pkg.Service/Method') or
 *  service wildcard ('/pkg.Service/*') -> workload names allowed to call it. */
export type AuthzTable = Record<string, readonly string[]>;

const EXECUTOR_READ = ['gateway', 'placement-scheduler', 'client'] as const;
const EXECUTOR_ADMIN = ['placement-scheduler', 'client'] as const;

export const AUTHZ: AuthzTable = Object.freeze({
  // KServe v2 / Open Inference Protocol: the gateway's public API, for end users and tools.
  '/inference.GRPCInferenceService/*': ['client'],
  // The gateway's own status API: operators and tools.
  '/switchyard.gateway.v1.Gateway/*': ['client'],
  // Executor inference: the gateway forwards requests; the scheduler probes; tools call directly.
  '/switchyard.executor.v1.Executor/Infer': EXECUTOR_READ,
  // The same, many requests on one stream: the gateway's path to each executor.
  '/switchyard.executor.v1.Executor/InferStream': ['gateway', 'client'],
  // Executor model metadata: the gateway answers KServe metadata calls from it.
  '/switchyard.executor.v1.Executor/ModelMetadata': EXECUTOR_READ,
  // Executor model readiness: gateway and scheduler check before routing.
  '/switchyard.executor.v1.Executor/ModelReady': EXECUTOR_READ,
  // Executor per-model statistics: read by gateway (KServe ModelStatistics) and scheduler.
  '/switchyard.executor.v1.Executor/ModelStatistics': EXECUTOR_READ,
  // Executor repository index: which models it can load.
  '/switchyard.executor.v1.Executor/RepositoryIndex': EXECUTOR_READ,
  // Executor self-description (device profile, pool).
  '/switchyard.executor.v1.Executor/Describe': EXECUTOR_READ,
  // Executor model loading: only the scheduler places models (and operators via tools).
  '/switchyard.executor.v1.Executor/LoadModel': EXECUTOR_ADMIN,
  // Executor model unloading: only the scheduler (and operators via tools).
  '/switchyard.executor.v1.Executor/UnloadModel': EXECUTOR_ADMIN,
  // Placement scheduler: Place/Explain/scaling APIs for the gateway, tools and telemetry.
  '/switchyard.scheduler.v1.PlacementScheduler/*': ['gateway', 'client', 'telemetry'],
  // KEDA external scaler (served by the placement scheduler): KEDA's operator calls it with the
  // client identity (IsActive, StreamIsActive, GetMetricSpec, GetMetrics).
  '/externalscaler.ExternalScaler/*': ['client'],
  // Policy signing keys: every verifier of tokens fetches the JWKS.
  '/switchyard.policy.v1.Policy/GetJwks': ['gateway', 'client', 'placement-scheduler', 'telemetry'],
  // Policy token issuance: end users and tools only.
  '/switchyard.policy.v1.Policy/IssueToken': ['client'],
  // Policy administration (replace the document): operators and tools only.
  '/switchyard.policy.v1.Policy/ApplyPolicy': ['client'],
  // Policy read-back: operators and tools (the gateway gets bundles from NATS KV, not this RPC).
  '/switchyard.policy.v1.Policy/GetPolicy': ['client'],
  // Signing-key rotation: operators and tools only.
  '/switchyard.policy.v1.Policy/RotateKeys': ['client'],
  // Telemetry query API: tools, the scheduler (forecast input) and the gateway.
  '/switchyard.telemetry.v1.Telemetry/*': ['client', 'placement-scheduler', 'gateway'],
  // Health checking: every workload may probe every other.
  '/grpc.health.v1.Health/*': WORKLOADS,
  // Server reflection (v1): every workload (grpcurl and friends via the client identity).
  '/grpc.reflection.v1.ServerReflection/*': WORKLOADS,
  // Server reflection (v1alpha): same as v1, for older tools.
  '/grpc.reflection.v1alpha.ServerReflection/*': WORKLOADS,
} satisfies AuthzTable);

/** Workload names allowed to call `method` ('/pkg.Service/Method') under `table`: the exact entry,
 *  else the service wildcard, else none (default deny). */
export function allowedCallers(table: AuthzTable, method: string): readonly string[] {
  const exact = table[method];
  if (exact) return exact;
  const slash = method.lastIndexOf('/');
  if (slash <= 0) return [];
  return table[`${method.slice(0, slash)}/*`] ?? [];
}

/** True if the workload `name` may call `method` under `table`. */
export function isAllowed(table: AuthzTable, method: string, name: string): boolean {
  return allowedCallers(table, method).includes(name);
}

// @switchyard/mesh: the mTLS gRPC mesh every Switchyard service uses — dev PKI with SPIFFE
// identities, the declared authorization table, servers (authz, health, reflection, draining) and
// clients (pinned server identity, default deadlines), and orderly process shutdown.
export { TRUST_DOMAIN, WORKLOADS, spiffeIdOf, spiffeIdFromPeer, workloadOf, type WorkloadName } from './identity.ts';
export { ensureDevPki, identityFromDir, makeForeignIdentity, renewIdentity, type MeshIdentity } from './pki.ts';
export { AUTHZ, allowedCallers, isAllowed, type AuthzTable } from './authz-table.ts';
export { MeshServer, callerSpiffeId, type MeshServerOptions, type ServiceRegistration } from './server.ts';
export {
  createClient,
  unary,
  defaultDeadlineInterceptor,
  serverIdentityCheck,
  DEFAULT_DEADLINE_MS,
  type MeshClientOptions,
  type UnaryOptions,
} from './client.ts';
export { tuneGcForTensorTraffic, GC_FLAG, lowerV8HelperPriority, processThreads, V8_HELPER_THREAD, type HelperPriority, type ThreadInfo } from './gc.ts';
export { onShutdown, runShutdown, type ShutdownStep, type ShutdownOptions } from './shutdown.ts';
export {
  DEFAULT_MAX_RECEIVE_BYTES,
  DEFAULT_MAX_CONCURRENT_STREAMS,
  DEFAULT_MAX_CONNECTION_AGE_MS,
  DEFAULT_MAX_CONNECTION_AGE_GRACE_MS,
  type ServerChannelOptions,
  type ClientChannelOptions,
} from './options.ts';

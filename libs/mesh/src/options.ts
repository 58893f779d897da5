// Strict types for grpc-js channel and server options. grpc-js takes a string-keyed bag
// (`[key: string]: any`), so a misspelt key compiles and is silently ignored; these types list only
// keys that grpc-js 1.14 actually reads (options.test.ts checks each against grpc-js's source).
//
// Note: grpc-js servers do not read `grpc.keepalive_permit_without_calls` or
// `grpc.http2.min_ping_interval_without_data_ms` (no server-side ping policing; Node's http2 layer
// answers pings), so they are deliberately absent from ServerChannelOptions.

/** Options a grpc-js Server reads. */
export interface ServerChannelOptions {
  'grpc.max_receive_message_length'?: number;
  'grpc.max_send_message_length'?: number;
  'grpc.max_concurrent_streams'?: number;
  'grpc.max_connection_age_ms'?: number;
  'grpc.max_connection_age_grace_ms'?: number;
  'grpc.max_connection_idle_ms'?: number;
  'grpc.keepalive_time_ms'?: number;
  'grpc.keepalive_timeout_ms'?: number;
  'grpc-node.max_session_memory'?: number;
  'grpc.enable_channelz'?: 0 | 1;
}

/** Options a grpc-js client channel reads (the subset we use). */
export interface ClientChannelOptions {
  'grpc.max_receive_message_length'?: number;
  'grpc.max_send_message_length'?: number;
  'grpc.keepalive_time_ms'?: number;
  'grpc.keepalive_timeout_ms'?: number;
  'grpc.keepalive_permit_without_calls'?: 0 | 1;
  'grpc.initial_reconnect_backoff_ms'?: number;
  'grpc.max_reconnect_backoff_ms'?: number;
  'grpc.enable_retries'?: 0 | 1;
  'grpc.service_config'?: string;
  'grpc.client_idle_timeout_ms'?: number;
  'grpc.ssl_target_name_override'?: string;
  'grpc.default_authority'?: string;
  'grpc.primary_user_agent'?: string;
  'grpc.enable_channelz'?: 0 | 1;
  /** HTTP/2 receive window (stream and connection) of the client's side, in bytes. */
  'grpc-node.flow_control_window'?: number;
}

export const MIB = 1024 * 1024;
export const DEFAULT_MAX_RECEIVE_BYTES = 64 * MIB;
export const DEFAULT_MAX_CONCURRENT_STREAMS = 1000;
/** Re-balance connections and re-handshake after certificate rotation (gRFC A9). */
export const DEFAULT_MAX_CONNECTION_AGE_MS = 5 * 60_000;
export const DEFAULT_MAX_CONNECTION_AGE_GRACE_MS = 30_000;

// The NATS adapter: one connection per process, protobuf payloads, W3C trace context in headers,
// reconnection forever with clear logs. JetStream is reachable through `bus.js`/`bus.jsm`.
import { connect, headers as natsHeaders, type NatsConnection, type JetStreamClient, type JetStreamManager, type MsgHdrs, type Subscription } from 'nats';
import { context, propagation, type Context } from '@opentelemetry/api';
import type { Logger } from '@switchyard/log';
import type { Codec } from '@switchyard/proto';

export interface BusOptions {
  /** nats://host:port (or host:port). */
  url: string;
  /** Connection name shown by the NATS server (the service name). */
  name: string;
  log: Logger;
}

export type Handler<Out> = (message: Out, meta: { subject: string; context: Context }) => void | Promise<void>;

const headerGetter = {
  get: (carrier: MsgHdrs, key: string) => carrier.get(key) || undefined,
  keys: (carrier: MsgHdrs) => [...carrier.keys()],
};
const headerSetter = { set: (carrier: MsgHdrs, key: string, value: string) => carrier.set(key, value) };

export class Bus {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  private readonly log: Logger;
  private readonly subs: Subscription[] = [];

  private constructor(nc: NatsConnection, log: Logger) {
    this.nc = nc;
    this.js = nc.jetstream();
    this.log = log;
  }

  static async connect(opts: BusOptions): Promise<Bus> {
    const servers = opts.url.replace(/^nats:\/\//, '');
    const nc = await connect({
      servers,
      name: opts.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      pingInterval: 10_000,
    });
    const bus = new Bus(nc, opts.log);
    opts.log.info({ nats: servers }, 'nats connected');
    void (async () => {
      for await (const s of nc.status()) {
        const level = s.type === 'disconnect' || s.type === 'error' ? 'warn' : 'info';
        opts.log[level]({ nats_status: s.type, data: typeof s.data === 'string' ? s.data : undefined }, `nats ${s.type}`);
      }
    })();
    return bus;
  }

  jsm(): Promise<JetStreamManager> {
    return this.nc.jetstreamManager();
  }

  /** Core NATS publish (fire and forget) with the active trace context in the headers. */
  publish<In extends object>(subject: string, codec: Codec<In, unknown>, message: In, ctx: Context = context.active()): void {
    const h = natsHeaders();
    propagation.inject(ctx, h, headerSetter);
    this.nc.publish(subject, codec.encode(message), { headers: h });
  }

  /** JetStream publish that waits for the server's acknowledgement. */
  async publishDurable<In extends object>(subject: string, codec: Codec<In, unknown>, message: In, msgId?: string): Promise<void> {
    const h = natsHeaders();
    propagation.inject(context.active(), h, headerSetter);
    await this.js.publish(subject, codec.encode(message), { headers: h, ...(msgId ? { msgID: msgId } : {}) });
  }

  /** Subscribe (wildcards allowed); a message that fails to decode is logged and dropped. */
  subscribe<Out>(subject: string, codec: Codec<never, Out>, handler: Handler<Out>, opts: { queue?: string } = {}): { unsubscribe(): void } {
    const sub = this.nc.subscribe(subject, opts.queue ? { queue: opts.queue } : {});
    this.subs.push(sub);
    void (async () => {
      for await (const m of sub) {
        let decoded: Out;
        try {
          decoded = codec.decode(m.data);
        } catch (e) {
          this.log.warn({ subject: m.subject, err: (e as Error).message, type: codec.typeName }, 'dropped undecodable message');
          continue;
        }
        const ctx = m.headers ? propagation.extract(context.active(), m.headers, headerGetter) : context.active();
        try {
          await context.with(ctx, () => handler(decoded, { subject: m.subject, context: ctx }));
        } catch (e) {
          this.log.error({ subject: m.subject, err: (e as Error).message }, 'message handler failed');
        }
      }
    })();
    return { unsubscribe: () => sub.unsubscribe() };
  }

  /** Flush what is buffered, then close (drain). */
  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    try {
      await this.nc.drain();
    } catch {
      await this.nc.close();
    }
  }
}

export const SUBJECTS = {
  heartbeat: (executorId: string) => `sy.v1.executor.heartbeat.${executorId}`,
  heartbeatAll: 'sy.v1.executor.heartbeat.*',
  placementTable: 'sy.v1.placement.table',
  outcome: 'sy.v1.gateway.outcome',
  /** The scheduler's outlier ejections and restores (switchyard.scheduler.v1.EjectionEvent). */
  ejection: (executorId: string) => `sy.v1.scheduler.ejection.${executorId}`,
  ejectionAll: 'sy.v1.scheduler.ejection.*',
} as const;

// W3C trace context over NATS message headers.
import { context, propagation, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { headers as natsHeaders, type MsgHdrs } from 'nats';

export const natsHeaderSetter: TextMapSetter<MsgHdrs> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

export const natsHeaderGetter: TextMapGetter<MsgHdrs> = {
  get: (carrier, key) => (carrier.has(key) ? carrier.get(key) : undefined),
  keys: (carrier) => [...carrier.keys()],
};

/** Headers carrying `ctx` (default: the active context) as traceparent/tracestate/baggage.
 *  Pass `into` to add them to headers you already have. */
export function natsTraceHeaders(ctx: Context = context.active(), into: MsgHdrs = natsHeaders()): MsgHdrs {
  propagation.inject(ctx, into, natsHeaderSetter);
  return into;
}

/** The context carried by a message's headers (on top of `base`, default the active one). */
export function contextFromHeaders(h: MsgHdrs | undefined, base: Context = context.active()): Context {
  return h ? propagation.extract(base, h, natsHeaderGetter) : base;
}

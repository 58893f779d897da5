// KEDA external scaler (externalscaler.ExternalScaler, proto/keda/externalscaler.proto) served by
// the scheduler: a ScaledObject with `scalerMetadata: { pool: cpu }` scales that pool's executor
// Deployment to the predictive autoscaler's desired replica count.
//   GetMetricSpec -> metric `switchyard-<pool>-desired`, targetSize 1 (AverageValue: HPA's
//                    desired = ceil(value / 1) = the autoscaler's desired replicas)
//   GetMetrics    -> that value
//   IsActive      -> the pool has load: observed or forecast rate > activeRate (req/s)
//   StreamIsActive-> the IsActive value now, then on every change
import * as grpc from '@grpc/grpc-js';
import type { PoolScalingState, PoolEnum } from './autoscale.ts';

interface ScaledObjectRef { name: string; namespace: string; scalerMetadata: Record<string, string> }
interface GetMetricsRequest { scaledObjectRef: ScaledObjectRef | null; metricName: string }

export interface KedaSource {
  /** The latest scaling state of a pool (undefined: the pool is not autoscaled). */
  state(pool: PoolEnum): PoolScalingState | undefined;
  /** Called after each autoscaler step. */
  onStep(listener: () => void): () => void;
}

export const metricNameOf = (pool: PoolEnum) => `switchyard-${pool === 'POOL_GPU' ? 'gpu' : 'cpu'}-desired`;

function poolOf(ref: ScaledObjectRef | null | undefined): PoolEnum | grpc.StatusObject {
  const p = (ref?.scalerMetadata?.pool ?? '').toLowerCase();
  if (p === 'cpu') return 'POOL_CPU';
  if (p === 'gpu') return 'POOL_GPU';
  return { code: grpc.status.INVALID_ARGUMENT, details: `scalerMetadata.pool must be "cpu" or "gpu", got ${JSON.stringify(ref?.scalerMetadata?.pool ?? '')}`, metadata: new grpc.Metadata() };
}

export function kedaImplementation(src: KedaSource, activeRate = 0.01): grpc.UntypedServiceImplementation {
  const lookup = (ref: ScaledObjectRef | null | undefined): { pool: PoolEnum; st: PoolScalingState } | grpc.StatusObject => {
    const pool = poolOf(ref);
    if (typeof pool !== 'string') return pool;
    const st = src.state(pool);
    if (!st) return { code: grpc.status.FAILED_PRECONDITION, details: `pool ${pool === 'POOL_CPU' ? 'cpu' : 'gpu'} is not autoscaled by this scheduler (SY_AUTOSCALE_POOLS)`, metadata: new grpc.Metadata() };
    return { pool, st };
  };
  const active = (st: PoolScalingState) => st.observedRate > activeRate || st.forecastRate > activeRate;
  return {
    IsActive(call: grpc.ServerUnaryCall<ScaledObjectRef, unknown>, cb: grpc.sendUnaryData<unknown>) {
      const r = lookup(call.request);
      if ('code' in r) return cb(r);
      cb(null, { result: active(r.st) });
    },
    StreamIsActive(call: grpc.ServerWritableStream<ScaledObjectRef, unknown>) {
      const r = lookup(call.request);
      if ('code' in r) { call.emit('error', r); return; }
      let last = active(r.st);
      call.write({ result: last });
      const off = src.onStep(() => {
        const st = src.state(r.pool);
        if (!st) return;
        const now = active(st);
        if (now !== last) { last = now; call.write({ result: now }); }
      });
      const end = () => { off(); };
      call.on('cancelled', end);
      call.on('close', end);
      call.on('error', end);
    },
    GetMetricSpec(call: grpc.ServerUnaryCall<ScaledObjectRef, unknown>, cb: grpc.sendUnaryData<unknown>) {
      const r = lookup(call.request);
      if ('code' in r) return cb(r);
      cb(null, { metricSpecs: [{ metricName: metricNameOf(r.pool), targetSize: 1, targetSizeFloat: 1 }] });
    },
    GetMetrics(call: grpc.ServerUnaryCall<GetMetricsRequest, unknown>, cb: grpc.sendUnaryData<unknown>) {
      const r = lookup(call.request.scaledObjectRef);
      if ('code' in r) return cb(r);
      const name = metricNameOf(r.pool);
      if (call.request.metricName && call.request.metricName !== name) {
        return cb({ code: grpc.status.NOT_FOUND, details: `unknown metric ${JSON.stringify(call.request.metricName)}; this scaler serves ${name}` });
      }
      cb(null, { metricValues: [{ metricName: name, metricValue: r.st.desired, metricValueFloat: r.st.desired }] });
    },
  };
}

// gRPC handlers of switchyard.telemetry.v1.Telemetry over the aggregator, series and cost ledger.
import * as grpc from '@grpc/grpc-js';
import type { TelemetryHandlers } from '@switchyard/proto';
import { WindowError, type Aggregator } from './aggregate.ts';
import type { CostLedger, SeriesStore } from './series.ts';

export function telemetryHandlers(agg: Aggregator, series?: SeriesStore, cost?: CostLedger): TelemetryHandlers {
  const unavailable = (what: string) => ({ code: grpc.status.UNIMPLEMENTED, details: `${what} is not enabled in this telemetry service` });
  return {
    GetSummary(call, callback) {
      try {
        callback(null, agg.summary(call.request.window_seconds));
      } catch (e) {
        if (e instanceof WindowError) callback({ code: grpc.status.INVALID_ARGUMENT, details: e.message });
        else callback({ code: grpc.status.INTERNAL, details: 'summary failed' });
      }
    },
    GetSeries(call, callback) {
      if (!series) return callback(unavailable('GetSeries'));
      const { model, pool, slots } = call.request;
      if (pool && pool !== 'gpu' && pool !== 'cpu' && pool !== 'unspecified') {
        return callback({ code: grpc.status.INVALID_ARGUMENT, details: `pool must be "gpu", "cpu" or empty, got '${pool}'` });
      }
      const max = Math.ceil(series.retentionMs / series.slotMs);
      if (slots > max) return callback({ code: grpc.status.INVALID_ARGUMENT, details: `slots ${slots} exceeds the ${max} slots retained (0 means all)` });
      callback(null, { slot_seconds: series.slotMs / 1000, series: series.get({ model, pool, slots }) });
    },
    GetSlo(call, callback) {
      if (!series) return callback(unavailable('GetSlo'));
      const models = series.slo(call.request.model);
      if (call.request.model && models.length === 0) return callback({ code: grpc.status.NOT_FOUND, details: `no traffic seen for model '${call.request.model}'` });
      callback(null, { models, window_seconds: Math.round(series.retentionMs / 1000) });
    },
    GetCost(_call, callback) {
      if (!cost) return callback(unavailable('GetCost'));
      callback(null, cost.report());
    },
  };
}

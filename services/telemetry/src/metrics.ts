// OpenTelemetry instruments of the telemetry service, fed from outcomes (synchronous) and from
// the latest heartbeats, the series store and the cost ledger (observable gauges, read at
// scrape time). Names: OTel-style dotted names where the exporter keeps them
// (switchyard.request.duration, unit s) and Prometheus-style names elsewhere; see
// docs/observability.md for the full list.
import type { HistogramSeries, Meter, PreAggregatedMetrics } from '@switchyard/otel';
import type { Heartbeat__Output } from '@switchyard/proto';
import { executorKey, isError, poolKey, type Aggregator } from './aggregate.ts';
import { BURN_METRIC_WINDOWS, isSpill, reasonLabel, type CostLedger, type CostOutcome, type SeriesStore } from './series.ts';

/** Bucket boundaries of switchyard.request.duration, seconds (1 ms .. 60 s). */
export const DURATION_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface ServiceMetrics {
  /** One outcome batch (as the gateway publishes them): each counter is added to once per
   *  distinct attribute set in the batch, the latency histogram once per outcome. */
  recordOutcomes(batch: readonly CostOutcome[]): void;
  recordHeartbeat(h: Heartbeat__Output): void;
}

export interface MetricsSources {
  /** Where switchyard.request.duration is aggregated (recorded once per outcome, so
   *  pre-aggregated: libs/otel pre-aggregated.ts); its readers must have it among their
   *  metricProducers (startTelemetry's do for Telemetry.histograms). */
  histograms: PreAggregatedMetrics;
  series?: SeriesStore;
  cost?: CostLedger;
  staleMs?: number;
}

export function registerMetrics(meter: Meter, agg: Aggregator, opts: MetricsSources): ServiceMetrics {
  const staleMs = opts.staleMs ?? 30_000;
  const requests = meter.createCounter('switchyard_requests', {
    description: 'Requests finished at the gateway, by model, version, pool, executor, tenant and outcome (ok|error)',
  });
  const duration = opts.histograms.histogram('switchyard.request.duration', {
    description: 'End-to-end request latency at the gateway',
    unit: 's',
    boundaries: DURATION_BUCKETS_S,
  });
  // The duration series of each attribute set, by the same key as the request counter's.
  const durationSeries = new Map<string, HistogramSeries>();
  const decisions = meter.createCounter('switchyard_placement_decisions', {
    description: 'Placement decisions by pool and reason (from Outcome.placement_reason)',
  });
  const spills = meter.createCounter('switchyard_spills', {
    description: 'Requests that ran on the CPU pool because no GPU executor could meet their deadline (see docs/observability.md)',
  });
  const cost = meter.createCounter('switchyard_cost', {
    description: 'Executor cost attributed to requests (sum of Outcome.cost), in the configured currency unit',
  });

  // Latest full heartbeat per executor (models, cost), next to the aggregator's executor state.
  const latest = new Map<string, Heartbeat__Output>();
  const regions = new Set<string>();

  const live = () => agg.liveExecutors(staleMs);
  const gauge = (name: string, description: string, pick: (e: ReturnType<Aggregator['liveExecutors']>[number]) => number, unit?: string) => {
    const g = meter.createObservableGauge(name, unit ? { description, unit } : { description });
    g.addCallback((result) => {
      for (const e of live()) result.observe(pick(e), { executor: e.executor_id, pool: e.pool, region: e.region });
    });
  };
  gauge('switchyard_executor_queue_depth', 'Requests queued on the executor (latest heartbeat)', (e) => e.queue_depth);
  gauge('switchyard_executor_in_flight', 'Requests running on the executor (latest heartbeat)', (e) => e.in_flight);
  gauge('switchyard_executor_utilization', 'Executor utilisation 0..1 (latest heartbeat)', (e) => e.utilization);
  gauge('switchyard_executor_cpu_fallback', '1 when a GPU-pool executor runs on the CPU (fallback), else 0', (e) => (e.cpu_fallback ? 1 : 0));
  gauge('switchyard_executor_draining', '1 while the executor drains before stopping', (e) => (e.draining ? 1 : 0));
  gauge('switchyard_executor_cost_per_hour', 'Executor cost per hour (latest heartbeat)', (e) => latest.get(e.executor_id)?.cost_per_hour ?? 0);

  // Per model on each executor.
  const perModel = (name: string, description: string, unit: string | undefined, each: (m: Heartbeat__Output['models'][number], emit: (v: number, extra?: Record<string, string>) => void) => void) => {
    const g = meter.createObservableGauge(name, unit ? { description, unit } : { description });
    g.addCallback((result) => {
      for (const e of live()) {
        const hb = latest.get(e.executor_id);
        if (!hb) continue;
        for (const m of hb.models) {
          const base = { executor: e.executor_id, pool: e.pool, region: e.region, model: m.name, version: m.version };
          each(m, (v, extra) => result.observe(v, extra ? { ...base, ...extra } : base));
        }
      }
    });
  };
  perModel('switchyard_executor_model_queue_depth', 'Requests queued for the model on the executor', undefined, (m, emit) => emit(m.queue_depth));
  perModel('switchyard_executor_model_in_flight', 'Requests of the model running on the executor', undefined, (m, emit) => emit(m.in_flight));
  perModel('switchyard_executor_model_throughput', 'Smoothed completions per second of the model on the executor', '{request}/s', (m, emit) => emit(m.throughput_rps));
  perModel('switchyard_executor_model_max_batch_size', 'Largest batch the executor forms for the model', undefined, (m, emit) => emit(m.max_batch_size));
  perModel('switchyard_executor_batch_duration', 'Smoothed time to run one batch, by batch size', 's', (m, emit) => {
    for (const st of m.service_times) emit(st.ms / 1000, { batch_size: String(st.batch_size) });
  });

  const executorsGauge = meter.createObservableGauge('switchyard_executors', {
    description: 'Live executors (heartbeat within 30 s, not draining) per region and pool; 0 for a region seen before that has none left',
  });
  executorsGauge.addCallback((result) => {
    const counts = new Map<string, number>();
    for (const r of regions) for (const p of ['gpu', 'cpu']) counts.set(`${r}\u0000${p}`, 0);
    for (const e of live()) {
      if (e.draining) continue;
      const k = `${e.region}\u0000${e.pool}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    for (const [k, n] of counts) {
      const [region, pool] = k.split('\u0000') as [string, string];
      result.observe(n, { region, pool });
    }
  });

  if (opts.series) {
    const series = opts.series;
    const burn = meter.createObservableGauge('switchyard_slo_burn_rate', {
      description: 'Error-budget burn rate per model over a window ((bad/total)/(1-target)); 1 = on budget',
    });
    burn.addCallback((result) => {
      for (const m of series.models()) for (const w of BURN_METRIC_WINDOWS) result.observe(series.burnRate(m, w.ms), { model: m, window: w.label });
    });
    const slo = meter.createObservableGauge('switchyard_slo_attainment', { description: 'Fraction of good requests per model over the series retention' });
    const budget = meter.createObservableGauge('switchyard_slo_error_budget_remaining', { description: 'Error budget left per model over the series retention (1 = untouched)' });
    const objective = meter.createObservableGauge('switchyard_slo_objective_latency', { description: 'Latency objective per model', unit: 's' });
    meter.addBatchObservableCallback((result) => {
      for (const s of series.slo()) {
        result.observe(slo, s.attainment, { model: s.model });
        result.observe(budget, s.error_budget_remaining, { model: s.model });
        result.observe(objective, s.latency_objective_ms / 1000, { model: s.model });
      }
    }, [slo, budget, objective]);
  }
  if (opts.cost) {
    const ledger = opts.cost;
    const mtd = meter.createObservableGauge('switchyard_cost_month_to_date', { description: 'Cost this UTC month per tenant, model and pool' });
    const fc = meter.createObservableGauge('switchyard_cost_forecast_month_end', { description: 'Forecast cost at the end of this UTC month per tenant, model and pool' });
    meter.addBatchObservableCallback((result) => {
      for (const l of ledger.report().lines) {
        const a = { tenant: l.tenant, model: l.model, pool: l.pool };
        result.observe(mtd, l.month_to_date, a);
        result.observe(fc, l.forecast_month_end, a);
      }
    }, [mtd, fc]);
  }

  // Counters are summed per attribute set over a batch first: the SDK sorts and serialises the
  // attributes on every add (hashAttributes), which cost more than anything else this service
  // does per outcome. The keys here are plain joins of the values.
  type Sum<A> = { attrs: A; n: number };
  const bump = <A>(m: Map<string, Sum<A>>, key: string, make: () => A, n: number): A => {
    let s = m.get(key);
    if (!s) m.set(key, (s = { attrs: make(), n: 0 }));
    s.n += n;
    return s.attrs;
  };
  const recordOutcomes = (batch: readonly CostOutcome[]): void => {
    const reqs = new Map<string, Sum<Record<string, string>>>();
    const decs = new Map<string, Sum<Record<string, string>>>();
    const spilled = new Map<string, Sum<Record<string, string>>>();
    const costs = new Map<string, Sum<Record<string, string>>>();
    for (const o of batch) {
      const pool = poolKey(o.pool);
      const model = o.model_name || 'unknown', version = o.model_version || '', tenant = o.tenant || 'unknown';
      const executor = executorKey(o), outcome = isError(o) ? 'error' : 'ok';
      const key = `${model}\u0000${version}\u0000${pool}\u0000${executor}\u0000${tenant}\u0000${outcome}`;
      const attrs = bump(reqs, key, () => ({ model, version, pool, executor, tenant, outcome }), 1);
      if (Number.isFinite(o.latency_ms) && o.latency_ms >= 0) {
        let d = durationSeries.get(key);
        if (!d) durationSeries.set(key, (d = duration.series(attrs)));
        d.record(o.latency_ms / 1000);
      }
      const reason = reasonLabel(o);
      bump(decs, `${pool}\u0000${reason}`, () => ({ pool, reason }), 1);
      if (isSpill(o)) bump(spilled, `${model}\u0000${version}\u0000${tenant}`, () => ({ model, version, tenant }), 1);
      const c = o.cost ?? 0;
      if (c > 0 && Number.isFinite(c)) bump(costs, `${tenant}\u0000${model}\u0000${version}\u0000${pool}`, () => ({ tenant, model, version, pool }), c);
    }
    for (const s of reqs.values()) requests.add(s.n, s.attrs);
    for (const s of decs.values()) decisions.add(s.n, s.attrs);
    for (const s of spilled.values()) spills.add(s.n, s.attrs);
    for (const s of costs.values()) cost.add(s.n, s.attrs);
  };

  return {
    recordOutcomes,
    recordHeartbeat(h) {
      if (!h.executor_id) return;
      latest.set(h.executor_id, h);
      if (h.region) regions.add(h.region);
    },
  };
}

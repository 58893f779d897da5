// The placement-scheduler's own metrics, served on its Prometheus endpoint (SY_METRICS_PORT):
//   switchyard_scheduler_ejections_total{executor,pool,action}   outlier ejections (EJECT) and restores (RESTORE)
//   switchyard_scheduler_table_publishes_total{trigger}          placement tables published, by what triggered them
//   switchyard_autoscaler_desired_replicas{pool}, _current_replicas{pool}   the autoscaler's last decision per pool
// Names and meaning in docs/observability.md.
import type { Meter } from '@switchyard/otel';
import type { EjectionChange } from '@switchyard/cluster';
import type { PoolScalingState } from './autoscale.ts';

/** 'POOL_GPU' | 'gpu' -> 'gpu' (the pool label every Switchyard metric uses). */
export function poolLabel(pool: string): string {
  const p = pool.toLowerCase().replace(/^pool_/, '');
  return p === 'gpu' || p === 'cpu' ? p : 'unspecified';
}

/** What made the scheduler publish a table, as a bounded label (publishTable's reason is free text). */
export type PublishTrigger = 'start' | 'periodic' | 'executor' | 'ejection' | 'canary' | 'other';

export function publishTrigger(reason: string): PublishTrigger {
  if (reason === 'start' || reason === 'periodic') return reason;
  if (/^executor \S+ changed$/.test(reason)) return 'executor';
  if (reason.startsWith('ejection:')) return 'ejection';
  if (reason.startsWith('canary')) return 'canary';
  return 'other';
}

export interface SchedulerMetrics {
  ejection(c: Pick<EjectionChange, 'executorId' | 'pool' | 'action'>): void;
  tablePublished(reason: string): void;
}

/** Registers the scheduler's instruments; `pools` gives the autoscaler's latest state per pool at scrape time. */
export function registerSchedulerMetrics(meter: Meter, o: { pools: () => Iterable<PoolScalingState> }): SchedulerMetrics {
  const ejections = meter.createCounter('switchyard_scheduler_ejections', {
    description: 'Outlier ejections (action EJECT) and restores (RESTORE) of executors by the scheduler, by executor, pool and action',
  });
  const publishes = meter.createCounter('switchyard_scheduler_table_publishes', {
    description: 'Placement tables published on NATS, by trigger (start, periodic, executor, ejection, canary, other)',
  });
  meter.createObservableGauge('switchyard_autoscaler_desired_replicas', { description: "The autoscaler's desired executors per pool (last decision)" })
    .addCallback((r) => { for (const s of o.pools()) r.observe(s.desired, { pool: poolLabel(s.pool) }); });
  meter.createObservableGauge('switchyard_autoscaler_current_replicas', { description: 'Executors of the pool when the autoscaler last decided (ready + starting)' })
    .addCallback((r) => { for (const s of o.pools()) r.observe(s.current, { pool: poolLabel(s.pool) }); });
  return {
    ejection: (c) => ejections.add(1, { executor: c.executorId, pool: poolLabel(c.pool), action: c.action }),
    tablePublished: (reason) => publishes.add(1, { trigger: publishTrigger(reason) }),
  };
}

// The cluster view: a pure core that the placement scheduler feeds with executor heartbeats
// and asks for placement tables. Time is passed in; nothing here does I/O.
import type { Candidate, Heartbeat__Output, ModelRoute, PlacementTable } from '@switchyard/proto';

export interface ClusterViewOptions {
  /** An executor silent for this long is unhealthy (left out of tables). */
  staleAfterMs: number;
  /** An executor silent for this long is forgotten. */
  forgetAfterMs: number;
}

export type ExecutorState = 'HEALTHY' | 'STALE' | 'DRAINING';

interface Entry {
  hb: Heartbeat__Output;
  lastSeenMs: number;
  /** What, when it changes, changes the table's shape (models, versions, state, health). */
  signature: string;
}

function signatureOf(hb: Heartbeat__Output): string {
  const models = hb.models.map((m) => `${m.name}@${m.version}:${m.state}`).sort().join(',');
  return `${hb.address}|${hb.pool}|${hb.region}|${hb.draining}|${models}`;
}

export class ClusterView {
  private readonly entries = new Map<string, Entry>();
  private readonly opts: ClusterViewOptions;

  constructor(opts: ClusterViewOptions) {
    this.opts = opts;
  }

  /** Records a heartbeat; returns true when the table's shape changed (publish at once). */
  observe(hb: Heartbeat__Output, nowMs: number): boolean {
    if (!hb.executor_id) return false;
    const prev = this.entries.get(hb.executor_id);
    if (prev && hb.started_at_ms === prev.hb.started_at_ms && hb.seq < prev.hb.seq) return false; // out of order
    const signature = signatureOf(hb);
    const wasStale = prev ? this.stateOf(prev, nowMs) === 'STALE' : false;
    this.entries.set(hb.executor_id, { hb, lastSeenMs: nowMs, signature });
    return !prev || prev.signature !== signature || wasStale;
  }

  /** Forgets long-silent executors; returns true if any executor changed health or left. */
  expire(nowMs: number): boolean {
    let changed = false;
    for (const [id, e] of this.entries) {
      const age = nowMs - e.lastSeenMs;
      if (age > this.opts.forgetAfterMs) {
        this.entries.delete(id);
        changed = true;
      } else if (age > this.opts.staleAfterMs && age - this.opts.staleAfterMs <= 1000) {
        changed = true; // just went stale
      }
    }
    return changed;
  }

  stateOf(e: { hb: Heartbeat__Output; lastSeenMs: number }, nowMs: number): ExecutorState {
    if (e.hb.draining) return 'DRAINING';
    return nowMs - e.lastSeenMs > this.opts.staleAfterMs ? 'STALE' : 'HEALTHY';
  }

  executors(nowMs: number): Array<{ heartbeat: Heartbeat__Output; lastSeenMs: number; state: ExecutorState }> {
    return [...this.entries.values()]
      .map((e) => ({ heartbeat: e.hb, lastSeenMs: e.lastSeenMs, state: this.stateOf(e, nowMs) }))
      .sort((a, b) => a.heartbeat.executor_id.localeCompare(b.heartbeat.executor_id));
  }

  /**
   * A placement table: per (model, version), the healthy executors that have it READY.
   * `unhealthy` (executor ids, e.g. ejected outliers) and `unhealthyVersions` ("model@version",
   * e.g. a canary being rolled back) stay in the table with healthy=false: the placement core
   * filters them (no new work) while their in-flight work completes, and Explain shows why.
   */
  table(version: number, nowMs: number, unhealthy?: ReadonlySet<string>, unhealthyVersions?: ReadonlySet<string>): PlacementTable {
    const routes = new Map<string, ModelRoute & { candidates: Candidate[] }>();
    const latest = new Map<string, string>();
    for (const e of this.entries.values()) {
      if (this.stateOf(e, nowMs) !== 'HEALTHY') continue;
      const hb = e.hb;
      for (const m of hb.models) {
        if (m.state !== 'READY') continue;
        const key = `${m.name}\u0000${m.version}`;
        let r = routes.get(key);
        if (!r) {
          r = { model_name: m.name, model_version: m.version, candidates: [] };
          routes.set(key, r);
        }
        r.candidates.push({
          executor_id: hb.executor_id,
          address: hb.address,
          pool: hb.pool,
          region: hb.region,
          spiffe_id: hb.spiffe_id,
          queue_depth: m.queue_depth,
          in_flight: m.in_flight,
          service_times: m.service_times,
          cost_per_hour: hb.cost_per_hour,
          healthy: !(unhealthy?.has(hb.executor_id) || unhealthyVersions?.has(`${m.name}@${m.version}`)),
          cpu_fallback: hb.device?.cpu_fallback ?? false,
          max_batch_size: m.max_batch_size,
        });
        const cur = latest.get(m.name);
        // A version being rolled back is not "latest": unversioned requests go to the stable one.
        if (!unhealthyVersions?.has(`${m.name}@${m.version}`) && (cur === undefined || compareVersions(m.version, cur) > 0)) latest.set(m.name, m.version);
      }
    }
    const sorted = [...routes.values()].sort((a, b) => `${a.model_name}/${a.model_version}`.localeCompare(`${b.model_name}/${b.model_version}`));
    for (const r of sorted) r.candidates.sort((a, b) => String(a.executor_id).localeCompare(String(b.executor_id)));
    return { version, generated_at_ms: nowMs, routes: sorted, latest_versions: Object.fromEntries(latest) };
  }
}

/** Numeric versions compare as numbers, others lexically. */
export function compareVersions(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a.localeCompare(b);
}

export { EjectionTracker, type EjectionSettings, type EjectionRecord, type EjectionChange, executorLatencyMs } from './ejection.ts';
export { decideCanaries, type CanaryConfig, type CanaryVersionStats, type CanaryVerdict } from './canary.ts';

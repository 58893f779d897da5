// Merges Triton-style ModelStatistics from several executors into one answer per model version.
import type { ModelStatistics__Output, ModelStatistics } from '@switchyard/proto';

type Dur = { count: number; ns: number };
const add = (a: Dur | null | undefined, b: Dur | null | undefined): Dur => ({ count: (a?.count ?? 0) + (b?.count ?? 0), ns: (a?.ns ?? 0) + (b?.ns ?? 0) });
const STAT_KEYS = ['success', 'fail', 'queue', 'compute_input', 'compute_infer', 'compute_output', 'cache_hit', 'cache_miss'] as const;

export function mergeStatistics(parts: ModelStatistics__Output[]): ModelStatistics[] {
  const byKey = new Map<string, ModelStatistics & { batch: Map<number, { compute_input: Dur; compute_infer: Dur; compute_output: Dur }> }>();
  for (const s of parts) {
    const key = `${s.name}\u0000${s.version}`;
    let m = byKey.get(key);
    if (!m) {
      m = { name: s.name, version: s.version, last_inference: 0, inference_count: 0, execution_count: 0, inference_stats: {}, batch: new Map() };
      byKey.set(key, m);
    }
    m.last_inference = Math.max(Number(m.last_inference), s.last_inference);
    m.inference_count = Number(m.inference_count) + s.inference_count;
    m.execution_count = Number(m.execution_count) + s.execution_count;
    const st = m.inference_stats as Record<string, Dur>;
    for (const k of STAT_KEYS) st[k] = add(st[k], s.inference_stats?.[k]);
    for (const b of s.batch_stats) {
      const cur = m.batch.get(b.batch_size) ?? { compute_input: { count: 0, ns: 0 }, compute_infer: { count: 0, ns: 0 }, compute_output: { count: 0, ns: 0 } };
      m.batch.set(b.batch_size, { compute_input: add(cur.compute_input, b.compute_input), compute_infer: add(cur.compute_infer, b.compute_infer), compute_output: add(cur.compute_output, b.compute_output) });
    }
  }
  return [...byKey.values()]
    .sort((a, b) => `${a.name}/${a.version}`.localeCompare(`${b.name}/${b.version}`))
    .map(({ batch, ...m }) => ({ ...m, batch_stats: [...batch.entries()].sort((a, b) => a[0] - b[0]).map(([batch_size, d]) => ({ batch_size, ...d })) }));
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EjectionLog, type EjectionEventLike } from './ejections.ts';
import { dashboardData, startDashboard } from './dashboard.ts';
import { Aggregator } from './aggregate.ts';
import { CostLedger, SeriesStore } from './series.ts';
import { Insights } from './insights.ts';

const T0 = 1_700_000_000_000;
const ev = (p: Partial<EjectionEventLike>): EjectionEventLike => ({ executor_id: 'cpu-2', pool: 'POOL_CPU', action: 'EJECT', reason: 'latency', until_ms: T0 + 30_000, at_ms: T0, ...p });

test('ejection log: newest first, active while the latest event of an unlapsed ejection, bounded, malformed ignored', () => {
  const log = new EjectionLog({ max: 3 });
  assert.equal(log.record(ev({})), true);
  log.record(ev({ executor_id: 'gpu-1', pool: 'POOL_GPU', at_ms: T0 + 1000, until_ms: T0 + 5000, reason: '5 consecutive errors' }));
  let l = log.list(T0 + 2000);
  assert.deepEqual(l.map((e) => [e.executor_id, e.pool, e.action, e.active]), [['gpu-1', 'gpu', 'EJECT', true], ['cpu-2', 'cpu', 'EJECT', true]]);
  // gpu-1's ejection lapses; cpu-2 is restored by the scheduler.
  log.record(ev({ action: 'RESTORE', at_ms: T0 + 10_000, until_ms: 0, reason: '' }));
  l = log.list(T0 + 10_000);
  assert.deepEqual(l.map((e) => [e.executor_id, e.action, e.active]), [['cpu-2', 'RESTORE', false], ['gpu-1', 'EJECT', false], ['cpu-2', 'EJECT', false]]);
  assert.equal(l[0]!.until_ms, 0);
  // Ejected again: only the newest event of cpu-2 counts. The oldest event falls out (max 3).
  log.record(ev({ at_ms: T0 + 20_000, until_ms: T0 + 80_000 }));
  l = log.list(T0 + 21_000);
  assert.equal(log.size, 3);
  assert.deepEqual(l.map((e) => [e.executor_id, e.action, e.at_ms, e.active]), [['cpu-2', 'EJECT', T0 + 20_000, true], ['cpu-2', 'RESTORE', T0 + 10_000, false], ['gpu-1', 'EJECT', T0 + 1000, false]]);
  assert.equal(log.record(ev({ action: 'MAYBE' })), false);
  assert.equal(log.record(ev({ executor_id: '' })), false);
  assert.equal(log.received, 4);
});

test('dashboard: ejections in /api/dashboard and the panel', async () => {
  const ejections = new EjectionLog();
  const src = { agg: new Aggregator(), series: new SeriesStore(), cost: new CostLedger(), insights: new Insights(), ejections, now: () => T0 + 1000 };
  let d = dashboardData(src) as { ejections: unknown[]; ejections_note: string };
  assert.deepEqual(d.ejections, []);
  assert.match(d.ejections_note, /placement-scheduler/);
  ejections.record(ev({ reason: 'latency p99 60 ms > 3x pool median' }));
  d = dashboardData(src) as typeof d;
  assert.deepEqual(d.ejections, [{ executor_id: 'cpu-2', pool: 'cpu', action: 'EJECT', reason: 'latency p99 60 ms > 3x pool median', at_ms: T0, until_ms: T0 + 30_000, active: true }]);

  const server = await startDashboard(src, { host: '127.0.0.1', port: 0 });
  try {
    const json = (await (await fetch(new URL('/api/dashboard', server.url))).json()) as { ejections: Array<{ executor_id: string }> };
    assert.deepEqual(json.ejections.map((e) => e.executor_id), ['cpu-2']);
    const page = await (await fetch(server.url)).text();
    assert.match(page, /<table id="ejections">/);
    assert.match(page, /rows\("ejections"/, 'the page renders the ejection rows');
  } finally {
    await server.close();
  }
});

// deploy/observability: the alert rules pass `promtool check rules` and their unit tests, the
// scrape config is valid, and the Grafana dashboard only queries metrics that exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const DIR = path.resolve(import.meta.dirname, '../../../deploy/observability');
const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));
const noPromtool = promtool ? false : 'promtool not installed (Debian package `prometheus`; tools/bootstrap.sh installs it for npm test)';

/** Metric names this repository emits: telemetry service, gateway, placement-scheduler, executors (docs/observability.md). */
const KNOWN = [
  // telemetry service
  'switchyard_requests_total', 'switchyard_request_duration_bucket', 'switchyard_placement_decisions_total', 'switchyard_spills_total',
  'switchyard_cost_total', 'switchyard_cost_month_to_date', 'switchyard_cost_forecast_month_end', 'switchyard_slo_burn_rate',
  'switchyard_executor_utilization', 'switchyard_executor_queue_depth', 'switchyard_executor_in_flight', 'switchyard_executors',
  'switchyard_executor_cpu_fallback',
  // gateway (services/gateway/src/metrics.ts, main.ts)
  'switchyard_gateway_ejections_total', 'switchyard_quota_used_ratio', 'switchyard_gateway_in_flight', 'switchyard_gateway_shed_total',
  'switchyard_gateway_fair_share_wait_bucket', 'switchyard_gateway_fair_share_wait_count', 'switchyard_gateway_quota_store_up',
  // placement-scheduler (services/placement-scheduler/src/metrics.ts)
  'switchyard_scheduler_ejections_total', 'switchyard_scheduler_table_publishes_total', 'switchyard_autoscaler_desired_replicas', 'switchyard_autoscaler_current_replicas',
  // executors (libs/executor/src/metrics.ts)
  'switchyard_executor_batch_size_bucket', 'switchyard_executor_queue_duration_bucket', 'switchyard_executor_compute_duration_bucket',
];

function run(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(promtool!, args, { cwd: DIR, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('alert rules pass promtool check rules', { skip: noPromtool }, () => {
  const r = run(['check', 'rules', 'alerts.yml']);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /SUCCESS: 7 rules found/);
});

test('alert rules unit tests (fast burn fires on both windows only; empty region fires; quota store down fires after 1 min)', { skip: noPromtool }, () => {
  const r = run(['test', 'rules', 'alerts.test.yml']);
  assert.equal(r.status, 0, r.out);
});

test('prometheus.yml is a valid config', { skip: noPromtool }, () => {
  const r = run(['check', 'config', 'prometheus.yml']);
  assert.equal(r.status, 0, r.out);
});

test('Grafana dashboard covers the golden signals with known metrics only', () => {
  const d = JSON.parse(readFileSync(path.join(DIR, 'grafana-dashboard.json'), 'utf8')) as { panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }> };
  const exprs = d.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
  assert.ok(exprs.length >= 10);
  for (const e of exprs) {
    for (const m of e.match(/switchyard_[a-z_]+/g) ?? []) assert.ok(KNOWN.includes(m), `${m} in '${e}' is not a known metric`);
  }
  const rows = d.panels.filter((p) => p.type === 'row').map((p) => p.title);
  for (const r of ['Traffic', 'Errors', 'Latency', 'Saturation']) assert.ok(rows.includes(r), `no ${r} row`);
  const rules = readFileSync(path.join(DIR, 'alerts.yml'), 'utf8');
  for (const m of rules.match(/switchyard_[a-z_]+/g) ?? []) assert.ok(KNOWN.includes(m), `${m} in alerts.yml is not a known metric`);
});

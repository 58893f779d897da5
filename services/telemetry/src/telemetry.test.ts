// Service-level test: real NATS, the service as a child process (with the OTel preload), mTLS
// GetSummary as `client`, and a Prometheus scrape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import { connect } from 'nats';
import { startNats, startRedis } from '@switchyard/devstack';
import { createClient, ensureDevPki, unary } from '@switchyard/mesh';
import { codec, telemetryV1, type EjectionEvent, type EjectionEvent__Output, type Heartbeat, type Heartbeat__Output, type OutcomeBatch, type OutcomeBatch__Output, type Summary__Output, type TelemetryClient, type SeriesSet__Output, type SloReport__Output, type CostReport__Output } from '@switchyard/proto';

const ROOT = path.resolve(import.meta.dirname, '../../..');

function waitForReady(child: ChildProcess): Promise<{ port: number; metricsPort: number; dashboard: string }> {
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    const rl = readline.createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      lines.push(line);
      try {
        const j = JSON.parse(line) as { msg?: string; port?: number; metricsPort?: number; dashboard?: string };
        if (j.msg === 'ready' && j.port && j.metricsPort) resolve({ port: j.port, metricsPort: j.metricsPort, dashboard: j.dashboard ?? '' });
      } catch {
        /* not JSON */
      }
    });
    child.once('exit', (code) => reject(new Error(`service exited (${code}) before ready:\n${lines.join('\n')}`)));
  });
}

test('telemetry service: NATS in, GetSummary over mTLS and /metrics out', { timeout: 60_000 }, async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sy-telemetry-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const nats = await startNats({ dataDir: path.join(dir, 'nats') });
  t.after(() => nats.stop());
  const redis = await startRedis({ dataDir: path.join(dir, 'redis') });
  t.after(() => redis.stop());
  const pkiDir = path.join(dir, 'pki');
  const ids = await ensureDevPki(pkiDir, ['telemetry', 'client']);

  const env = {
    ...process.env, SY_PKI_DIR: pkiDir, SY_PORT: '0', SY_NATS_URL: nats.url, SY_METRICS_PORT: '0', SY_METRICS_HOST: '127.0.0.1', SY_LOG_LEVEL: 'info',
    SY_REDIS_URL: redis.url, SY_DASHBOARD_PORT: '0', SY_PERSIST_INTERVAL_MS: '200', SY_SLOS: JSON.stringify({ ocr: { latencyMs: 100 } }),
  };
  const spawnService = () => spawn(process.execPath, ['--import', '@switchyard/otel/register', 'services/telemetry/src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const child = spawnService();
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const { port, metricsPort, dashboard } = await waitForReady(child);

  // Publish what executors and the gateway publish.
  const nc = await connect({ servers: nats.url });
  t.after(() => nc.close());
  const hbCodec = codec<Heartbeat, Heartbeat__Output>('switchyard.executor.v1.Heartbeat');
  const obCodec = codec<OutcomeBatch, OutcomeBatch__Output>('switchyard.telemetry.v1.OutcomeBatch');
  nc.publish(
    'sy.v1.executor.heartbeat.gpu-7',
    hbCodec.encode({ executor_id: 'gpu-7', pool: 'POOL_GPU', region: 'local', in_flight: 2, queue_depth: 4, device: { execution_provider: 'cpu', cpu_fallback: true, fallback_reason: 'no CUDA' } }),
  );
  const now = Date.now();
  nc.publish(
    'sy.v1.gateway.outcome',
    obCodec.encode({
      gateway_id: 'gw-1',
      outcomes: [
        { request_id: 'a', model_name: 'resnet', model_version: '1', tenant: 't1', executor_id: 'gpu-7', pool: 'POOL_GPU', status: 'OK', latency_ms: 12, finished_at_ms: now, cost: 0.002, placement_reason: 'cheapest pool: gpu (0.002/request, predicted 10 ms, no deadline)' },
        { request_id: 'b', model_name: 'resnet', model_version: '1', tenant: 't1', executor_id: 'gpu-7', pool: 'POOL_GPU', status: 'OK', latency_ms: 14, finished_at_ms: now, cost: 0.002, placement_reason: 'cheapest pool: gpu (0.002/request, predicted 10 ms, no deadline)' },
        { request_id: 'c', model_name: 'ocr', model_version: '2', tenant: 't2', executor_id: 'cpu-1', pool: 'POOL_CPU', status: 'UNAVAILABLE', latency_ms: 250, finished_at_ms: now, cost: 0.001, placement_reason: 'cheapest pool meeting deadline: cpu (predicted 40 ms <= 300 ms; the only feasible pool)' },
      ],
    }),
  );
  // What the scheduler publishes when its outlier detection ejects an executor.
  const ejCodec = codec<EjectionEvent, EjectionEvent__Output>('switchyard.scheduler.v1.EjectionEvent');
  nc.publish('sy.v1.scheduler.ejection.gpu-7', ejCodec.encode({ executor_id: 'gpu-7', pool: 'POOL_GPU', action: 'EJECT', reason: 'latency p99 60 ms > 3x pool median 5 ms', until_ms: now + 600_000, at_ms: now }));
  await nc.flush();

  const client = createClient<TelemetryClient>(telemetryV1.Telemetry, `127.0.0.1:${port}`, ids.client!, { serverSpiffeId: 'spiffe://switchyard.local/telemetry' });
  t.after(() => client.close());
  let s: Summary__Output | undefined;
  for (let i = 0; i < 50; i++) {
    s = await unary<Summary__Output>(client, 'GetSummary', { window_seconds: 60 });
    if (s.requests === 3 && s.executors_seen === 1) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(s);
  assert.equal(s.requests, 3);
  assert.equal(s.errors, 1);
  assert.equal(s.executors_seen, 1);
  assert.deepEqual(s.by_pool.map((g) => [g.key, g.requests, g.errors]), [['gpu', 2, 0], ['cpu', 1, 1]]);
  assert.deepEqual(s.by_model.map((g) => g.key), ['resnet:1', 'ocr:2']);

  // Series, SLO and cost over gRPC.
  const set = await unary<SeriesSet__Output>(client, 'GetSeries', { slots: 6 });
  assert.equal(set.slot_seconds, 10);
  const resnetGpu = set.series.find((x) => x.model === 'resnet:1' && x.pool === 'gpu');
  assert.ok(resnetGpu && resnetGpu.points.length >= 1 && resnetGpu.points.length <= 6);
  assert.equal(resnetGpu.points.reduce((a, p) => a + p.arrivals, 0), 2);
  const onlyCpu = await unary<SeriesSet__Output>(client, 'GetSeries', { pool: 'cpu' });
  assert.deepEqual(onlyCpu.series.map((x) => x.model), ['ocr:2']);
  await assert.rejects(unary(client, 'GetSeries', { pool: 'tpu' }), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT && /pool/.test(e.details));
  const slo = await unary<SloReport__Output>(client, 'GetSlo', {});
  const ocrSlo = slo.models.find((m) => m.model === 'ocr:2')!;
  assert.equal(ocrSlo.latency_objective_ms, 100, 'per-model SLO from SY_SLOS');
  assert.equal(ocrSlo.attainment, 0);
  assert.equal(Math.round(ocrSlo.burn_rates.find((b) => b.name === 'fast')!.long_burn * 1e6) / 1e6, 100, '1 bad of 1 at a 99 % target burns at 100x');
  assert.equal(slo.models.find((m) => m.model === 'resnet:1')!.attainment, 1);
  await assert.rejects(unary(client, 'GetSlo', { model: 'nope' }), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND);
  const cost = await unary<CostReport__Output>(client, 'GetCost', {});
  assert.ok(Math.abs(cost.total_month_to_date - 0.005) < 1e-12);
  assert.equal(cost.forecast_method, 'linear');
  assert.ok(cost.total_forecast_month_end >= cost.total_month_to_date);
  assert.deepEqual(cost.lines.map((l) => [l.tenant, l.model, l.pool]).sort(), [['t1', 'resnet:1', 'gpu'], ['t2', 'ocr:2', 'cpu']]);

  // The dashboard: the page and its JSON.
  assert.match(dashboard, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const page = await (await fetch(dashboard)).text();
  assert.match(page, /<svg id="routing"/);
  assert.doesNotMatch(page, /<script[^>]+src=/, 'self-contained: no external scripts');
  const dj = (await (await fetch(new URL('/api/dashboard', dashboard))).json()) as { totals: { requests: number }; executors: Array<{ executor_id: string; cpu_fallback: boolean; state: string }>; cost: { total_month_to_date: number } };
  assert.equal(dj.totals.requests, 3);
  assert.deepEqual(dj.executors.map((e) => [e.executor_id, e.cpu_fallback, e.state]), [['gpu-7', true, 'up']]);
  // The scheduler's ejection event reached the dashboard's ejection panel.
  let ej: Array<{ executor_id: string; pool: string; action: string; reason: string; active: boolean }> = [];
  for (let i = 0; i < 50 && ej.length === 0; i++) {
    ej = ((await (await fetch(new URL('/api/dashboard', dashboard))).json()) as { ejections: typeof ej }).ejections;
    if (ej.length === 0) await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(ej.map((e) => [e.executor_id, e.pool, e.action, e.active]), [['gpu-7', 'gpu', 'EJECT', true]]);
  assert.match(ej[0]!.reason, /latency p99/);
  assert.deepEqual(s.by_executor.map((g) => g.key), ['gpu-7', 'cpu-1']);
  assert.equal(s.p99_ms, 250);
  const all = await unary<Summary__Output>(client, 'GetSummary', { window_seconds: 0 });
  assert.equal(all.requests, 3);

  // A window beyond the retention is a precise INVALID_ARGUMENT.
  await assert.rejects(unary(client, 'GetSummary', { window_seconds: 1_000_000 }), (e: grpc.ServiceError) => {
    assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
    assert.match(e.details, /retention/);
    return true;
  });

  // Prometheus.
  const body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const line = (re: RegExp) => body.split('\n').find((l) => re.test(l));
  assert.match(line(/^switchyard_requests_total\{.*executor="gpu-7".*tenant="t1".*outcome="ok"/) ?? '', / 2$/);
  assert.match(line(/^switchyard_requests_total\{.*executor="cpu-1".*outcome="error"/) ?? '', / 1$/);
  // The Prometheus exporter keeps the instrument name and states the unit in a # UNIT line.
  assert.match(body, /^# UNIT switchyard_request_duration s$/m);
  assert.match(body, /^switchyard_request_duration_bucket\{model="resnet",version="1",.*le="0.01"\} 0$/m);
  assert.match(body, /^switchyard_request_duration_bucket\{model="resnet",version="1",.*le="0.025"\} 2$/m);
  assert.match(body, /^switchyard_request_duration_count\{model="ocr",version="2",.*outcome="error"\} 1$/m);
  assert.match(body, /^switchyard_spills_total\{model="ocr",version="2",tenant="t2"\} 1$/m);
  assert.match(body, /^switchyard_placement_decisions_total\{pool="gpu",reason="cheapest"\} 2$/m);
  assert.match(body, /^switchyard_cost_total\{tenant="t1",model="resnet",version="1",pool="gpu"\} 0.004$/m);
  assert.match(body, /^switchyard_slo_burn_rate\{model="ocr:2",window="5m"\} (100|99\.9+\d*)$/m);
  assert.match(body, /^switchyard_cost_month_to_date\{tenant="t2",model="ocr:2",pool="cpu"\} 0.001$/m);
  assert.match(body, /^switchyard_executors\{region="local",pool="gpu"\} 1$/m);
  assert.match(line(/^switchyard_executor_cpu_fallback\{.*executor="gpu-7"/) ?? '', / 1$/);
  assert.match(line(/^switchyard_executor_queue_depth\{.*executor="gpu-7"/) ?? '', / 4$/);
  assert.match(line(/^switchyard_executor_in_flight\{.*executor="gpu-7"/) ?? '', / 2$/);

  // Graceful shutdown (flushes to Redis), then a restart restores series and cost.
  client.close();
  child.kill('SIGTERM');
  assert.equal(await exited, 0);

  const again = spawnService();
  t.after(() => {
    if (again.exitCode === null) again.kill('SIGKILL');
  });
  const r2 = await waitForReady(again);
  const c2 = createClient<TelemetryClient>(telemetryV1.Telemetry, `127.0.0.1:${r2.port}`, ids.client!, { serverSpiffeId: 'spiffe://switchyard.local/telemetry' });
  t.after(() => c2.close());
  const set2 = await unary<SeriesSet__Output>(c2, 'GetSeries', { model: 'resnet' });
  assert.equal(set2.series[0]?.points.reduce((a, p) => a + p.arrivals, 0), 2, 'series survive a restart (Redis)');
  const cost2 = await unary<CostReport__Output>(c2, 'GetCost', {});
  assert.ok(Math.abs(cost2.total_month_to_date - 0.005) < 1e-12, 'cost survives a restart');
  c2.close();
  const exited2 = new Promise<number | null>((r) => again.once('exit', (code) => r(code)));
  again.kill('SIGTERM');
  assert.equal(await exited2, 0);
});

// The switchyard command line: up (what `npm start` runs), token, infer, status.
import { parseArgs } from 'node:util';
import path from 'node:path';

import * as grpc from '@grpc/grpc-js';
import { startMesh, readEndpoints, REPO_ROOT, type Endpoints } from '@switchyard/launcher';
import { createClient, unary, spiffeIdOf, type MeshIdentity } from '@switchyard/mesh';
import { gatewayV1, policyV1, schedulerV1 } from '@switchyard/proto';
import type { GatewayClient, DecisionRecord__Output, ClusterStatusResponse__Output, IssueTokenResponse__Output, ModelInferResponse__Output, ModelMetadataResponse__Output, PlacementSchedulerClient, PolicyClient } from '@switchyard/proto';
import { connectGateway, makeRequest, describeOutputs, table } from './client.ts';
import { runDemo, summaryTable } from './demo.ts';
import { run as runForecast } from './forecast-cmd.ts';
import { run as runAnomaly } from './anomaly-cmd.ts';
import { run as runSimulate } from './simulate-cmd.ts';
import { run as runPolicy } from './policy-cmd.ts';
import { run as runAudit } from './audit-cmd.ts';

const USAGE = `usage: switchyard <command> [options]

commands:
  up [--once] [--requests N] [--concurrency N] [--state-dir DIR]
        start NATS, Redis and all six services, run the demo, print a summary
        (--once: exit right after the summary; otherwise serve until Ctrl-C)
  token [--tenant T] [--roles a,b] [--audience A] [--ttl SECONDS]
        mint a development JWT (negative --ttl gives an expired token)
  infer --model NAME [--version V] [--shape input=d1,d2,...] [--pool auto|gpu|cpu] [--timeout-us N] [--json]
        send one request with generated inputs through the gateway and print the outputs
  status [--json]
        pools, executors and models as the scheduler sees them
  explain <request-id> [--json]
        why the gateway placed (or refused) that request: the decision, its reason and every
        candidate's predicted time, cost and verdict (from the gateway's decision records)
  policy apply FILE.yaml [--actor NAME] | policy get [--json] | policy keys | policy rotate-keys [--force]
        apply (validate, store, publish) or print the policy document (docs/policy.md);
        list the token signing keys, or start a key rotation (with overlap)
  audit tail [--follow] [--limit N] [--kind deny|admin] [--tenant T] [--json]
        the audit log: every refusal and every policy change
  forecast --input series.csv [--horizon N] [--season-length N[,M]] [--level 0.95] [--output FILE]
        forecast a timestamp,value series with prediction intervals
  anomaly --input series.csv [--season-length N[,M]] [--output FILE]
        score every point of a timestamp,value series for anomalies (0..1)
  simulate (--trace arrivals.csv | --generate SPEC) --policy predictive|reactive|static|all [--plot FILE]
        replay arrivals through both pools with the real placement core and autoscaler

common: --endpoints FILE (default .switchyard/endpoints.json); 'switchyard <command> --help' for more`;

const DEFAULT_STATE = path.join(REPO_ROOT, '.switchyard');

function fail(msg: string, code = 1): never {
  process.stderr.write(`switchyard: ${msg}\n`);
  process.exit(code);
}

function clientIdentity(ep: Endpoints): MeshIdentity {
  return { name: 'client', spiffeId: spiffeIdOf('client'), caFile: ep.ca, certFile: ep.clientCert, keyFile: ep.clientKey };
}

function grpcMessage(e: unknown): string {
  const se = e as grpc.ServiceError;
  return typeof se?.code === 'number' ? `${grpc.status[se.code]}: ${se.details}` : String((e as Error)?.message ?? e);
}

async function cmdUp(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: {
    once: { type: 'boolean', default: false },
    requests: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '8' },
    'state-dir': { type: 'string', default: DEFAULT_STATE },
  } });
  const requests = Number(values.requests);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(requests) || requests < 0) fail(`--requests must be a whole number, got ${values.requests}`, 2);
  if (!Number.isInteger(concurrency) || concurrency < 1) fail(`--concurrency must be a positive whole number, got ${values.concurrency}`, 2);
  const t0 = Date.now();
  const say = (s: string) => process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${s}\n`);
  const mesh = await startMesh({ stateDir: values['state-dir']!, progress: say, preferDefaultPorts: true });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping');
    const codes = await mesh.stop();
    const bad = Object.entries(codes).filter(([, c]) => c.code !== 0);
    if (bad.length) say(`services that did not exit cleanly: ${bad.map(([n, c]) => `${n}=${c.code}`).join(', ')}`);
    process.exit(bad.length ? 1 : code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  try {
    const status = await mesh.clusterStatus();
    process.stdout.write(`\nexecutors:\n${statusTable(status)}\n\n`);
    const gw = connectGateway(mesh.endpoints);
    say(`demo: ${requests} requests to ocr_cls (PP-OCR text direction classifier) and mlp, concurrency ${concurrency}, pool preference auto/gpu/cpu`);
    let lastShown = 0;
    const r = await runDemo(gw, { requests, concurrency, models: ['ocr_cls', 'mlp'], progress: (done, total) => {
      if (done === total || done - lastShown >= Math.max(1, Math.floor(total / 10))) { lastShown = done; say(`demo ${done}/${total}`); }
    } });
    gw.close();
    process.stdout.write(`\nsummary (client-side latency through the gateway):\n${summaryTable(r)}\n\n`);
    process.stdout.write(`gateway    ${mesh.endpoints.gateway} (mTLS; credentials and a token in ${path.join(mesh.endpoints.stateDir, 'endpoints.json')})\n`);
    process.stdout.write(`metrics    ${mesh.endpoints.metrics.map((m) => `http://${m}/metrics`).join(' ')}\n`);
    if (mesh.endpoints.dashboard) process.stdout.write(`dashboard  ${mesh.endpoints.dashboard}\n`);
    process.stdout.write(`logs       ${path.join(mesh.endpoints.stateDir, 'logs')}\n`);
    if (values.once) {
      await stop(r.errors > 0 ? 1 : 0);
      return;
    }
    say('serving; Ctrl-C to stop');
  } catch (e) {
    say(`failed: ${(e as Error).message}`);
    await stop(1);
  }
}

function statusTable(s: ClusterStatusResponse__Output): string {
  return table(['executor', 'pool', 'device', 'region', 'state', 'address', 'models'], s.executors.map((e) => {
    const hb = e.heartbeat!;
    const dev = hb.device ? `${hb.device.execution_provider}${hb.device.cpu_fallback ? ' (CPU fallback)' : ''}` : '?';
    return [hb.executor_id, hb.pool.replace('POOL_', '').toLowerCase(), dev, hb.region, e.state, hb.address, hb.models.map((m) => `${m.name}@${m.version}:${m.state}`).join(' ')];
  }));
}

async function cmdToken(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: {
    tenant: { type: 'string', default: 'demo' }, roles: { type: 'string', default: 'user' }, audience: { type: 'string' },
    ttl: { type: 'string', default: '3600' }, endpoints: { type: 'string', default: path.join(DEFAULT_STATE, 'endpoints.json') },
  } });
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl)) fail(`--ttl must be a whole number of seconds, got ${values.ttl}`, 2);
  const ep = readEndpoints(values.endpoints!);
  const policy = createClient<PolicyClient>(policyV1.Policy, ep.policy, clientIdentity(ep), { serverSpiffeId: spiffeIdOf('policy') });
  try {
    const r = await unary<IssueTokenResponse__Output>(policy, 'IssueToken', { tenant: values.tenant, roles: values.roles!.split(',').filter(Boolean), ttl_seconds: ttl, ...(values.audience ? { audience: values.audience } : {}) });
    process.stdout.write(`${r.token}\n`);
  } finally {
    policy.close();
  }
}

async function cmdInfer(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: {
    model: { type: 'string' }, version: { type: 'string', default: '' }, shape: { type: 'string', multiple: true }, pool: { type: 'string', default: 'auto' },
    'timeout-us': { type: 'string' }, json: { type: 'boolean', default: false }, token: { type: 'string' },
    endpoints: { type: 'string', default: path.join(DEFAULT_STATE, 'endpoints.json') },
  } });
  if (!values.model) fail('--model is required', 2);
  const shapes: Record<string, number[]> = {};
  for (const s of values.shape ?? []) {
    const m = /^([^=]+)=(\d+(?:,\d+)*)$/.exec(s);
    if (!m) fail(`--shape must look like input=1,3,48,192, got ${s}`, 2);
    shapes[m[1]!] = m[2]!.split(',').map(Number);
  }
  const ep = readEndpoints(values.endpoints!);
  const gw = connectGateway(ep, values.token ?? ep.token);
  try {
    const md = await gw.call<ModelMetadataResponse__Output>('ModelMetadata', { name: values.model, version: values.version });
    const parameters: Record<string, unknown> = { pool: { string_param: values.pool } };
    if (values['timeout-us']) parameters.timeout = { int64_param: Number(values['timeout-us']) };
    const req = { ...makeRequest(md, { shapes, parameters: parameters as never }), model_version: values.version ?? '' };
    const t0 = performance.now();
    const res = await gw.call<ModelInferResponse__Output>('ModelInfer', req);
    const ms = performance.now() - t0;
    const outs = describeOutputs(res);
    const where = { request_id: res.parameters.switchyard_request_id?.string_param, executor: res.parameters.switchyard_executor?.string_param, pool: res.parameters.switchyard_pool?.string_param, cpu_fallback: res.parameters.switchyard_cpu_fallback?.bool_param };
    if (values.json) process.stdout.write(JSON.stringify({ model: res.model_name, version: res.model_version, latency_ms: ms, ...where, outputs: outs }, null, 2) + '\n');
    else {
      process.stdout.write(`${res.model_name} version ${res.model_version} on ${where.executor} (${where.pool}${where.cpu_fallback ? ', CPU fallback' : ''}) in ${ms.toFixed(1)} ms; request ${where.request_id} ('switchyard explain ${where.request_id}' says why)\n`);
      process.stdout.write(table(['output', 'datatype', 'shape', 'values'], outs.map((o) => [o.name, o.datatype, `[${o.shape.join(',')}]`, o.values])) + '\n');
    }
  } finally {
    gw.close();
  }
}

async function cmdStatus(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false }, endpoints: { type: 'string', default: path.join(DEFAULT_STATE, 'endpoints.json') } } });
  const ep = readEndpoints(values.endpoints!);
  const scheduler = createClient<PlacementSchedulerClient>(schedulerV1.PlacementScheduler, ep.scheduler, clientIdentity(ep), { serverSpiffeId: spiffeIdOf('placement-scheduler') });
  try {
    const s = await unary<ClusterStatusResponse__Output>(scheduler, 'ClusterStatus', {});
    if (values.json) {
      process.stdout.write(JSON.stringify(s, null, 2) + '\n');
      return;
    }
    const pools = new Map<string, number>();
    for (const e of s.executors) pools.set(e.heartbeat!.pool, (pools.get(e.heartbeat!.pool) ?? 0) + (e.state === 'HEALTHY' ? 1 : 0));
    process.stdout.write(`placement table version ${s.table_version}\n\npools:\n${table(['pool', 'healthy executors'], [...pools].map(([p, n]) => [p.replace('POOL_', '').toLowerCase(), n]))}\n\nexecutors:\n${statusTable(s)}\n`);
    const models = new Map<string, Set<string>>();
    for (const e of s.executors) for (const m of e.heartbeat!.models) if (m.state === 'READY') (models.get(`${m.name}@${m.version}`) ?? models.set(`${m.name}@${m.version}`, new Set()).get(`${m.name}@${m.version}`)!).add(e.heartbeat!.executor_id);
    process.stdout.write(`\nmodels:\n${table(['model@version', 'executors'], [...models].sort().map(([k, v]) => [k, [...v].join(' ')]))}\n`);
  } finally {
    scheduler.close();
  }
}

type DecisionRecordOut = DecisionRecord__Output;

const poolName = (p: string) => (p === 'POOL_GPU' ? 'gpu' : p === 'POOL_CPU' ? 'cpu' : '-');
const msText = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

function explainText(r: DecisionRecordOut): string {
  const lines = [
    `request ${r.request_id}: ${r.model_name}@${r.model_version || '?'} tenant ${r.tenant || '-'}, priority ${r.priority}, pool preference ${r.pool_preference || 'auto'}, ${r.deadline_ms > 0 ? `deadline ${msText(r.deadline_ms)} ms left at decision` : 'no deadline'}`,
    `status ${r.status} in ${msText(r.latency_ms)} ms (gateway ${r.gateway_id}, table version ${r.table_version}, ${new Date(r.at_ms).toISOString()})`,
    r.placed
      ? `decision: ${r.executor_id} (${poolName(r.pool)}), predicted ${msText(r.predicted_ms)} ms, cost ${r.cost_per_request.toExponential(2)} per request`
      : `decision: refused${r.code ? ` (${r.code})` : ''}`,
    `reason: ${r.reason || '-'}`,
  ];
  if (r.attempts.length) lines.push(`attempts: ${r.attempts.map((a) => `${a.executor_id}:${a.status}`).join(', ')}`);
  if (r.ejected.length) lines.push(`locally ejected: ${r.ejected.join(', ')}`);
  if (r.fair_wait_ms >= 1) lines.push(`fair share: waited ${msText(r.fair_wait_ms)} ms for a slot of ${r.model_name}`);
  if (r.background) lines.push(`CPU priority: background (tenant ${r.tenant} asked for more than its fair share of ${r.model_name} while another tenant was active)`);
  lines.push('', 'candidates:', table(['executor', 'pool', 'predicted ms', 'cost/request', 'cost/h', 'load (gateway/table)', 'verdict'], r.candidates.map((c) => [
    c.executor_id, `${poolName(c.pool)}${c.cpu_fallback ? ' (CPU fallback)' : ''}`, msText(c.predicted_ms), c.cost_per_request.toExponential(2), String(c.cost_per_hour), `${c.live_in_flight}/${c.table_load}`, c.verdict,
  ])));
  return lines.join('\n');
}

async function cmdExplain(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false }, endpoints: { type: 'string', default: path.join(DEFAULT_STATE, 'endpoints.json') } } });
  const id = positionals[0];
  if (!id || positionals.length > 1) fail('usage: switchyard explain <request-id> [--json]', 2);
  const ep = readEndpoints(values.endpoints!);
  const gw = createClient<GatewayClient>(gatewayV1.Gateway, ep.gateway, clientIdentity(ep), { serverSpiffeId: spiffeIdOf('gateway') });
  try {
    const r = await unary<DecisionRecordOut>(gw, 'ExplainRequest', { request_id: id }, { deadlineMs: 5000 });
    process.stdout.write((values.json ? JSON.stringify(r, null, 2) : explainText(r)) + '\n');
  } finally {
    gw.close();
  }
}

const [cmd, ...rest] = process.argv.slice(2);
/** Offline tools for SREs' own data: they exit with their own code. */
const exitWith = (run: (argv: string[]) => Promise<number>) => async (argv: string[]) => process.exit(await run(argv));
const commands: Record<string, (argv: string[]) => Promise<void>> = {
  up: cmdUp, token: cmdToken, infer: cmdInfer, status: cmdStatus, explain: cmdExplain,
  forecast: exitWith(runForecast), anomaly: exitWith(runAnomaly), simulate: exitWith(runSimulate),
  policy: exitWith(runPolicy), audit: exitWith(runAudit),
};
if (!cmd || cmd === '--help' || cmd === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(cmd ? 0 : 2);
}
const run = commands[cmd];
if (!run) fail(`unknown command '${cmd}'\n${USAGE}`, 2);
try {
  await run(rest);
} catch (e) {
  fail(grpcMessage(e));
}

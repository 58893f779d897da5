// End to end, real processes: NATS, Redis and all six services over mTLS, requests through
// the gateway's Open Inference Protocol API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { startMesh, REPO_ROOT, type Mesh } from '@switchyard/launcher';
import { AUTHZ, allowedCallers, createClient, identityFromDir, makeForeignIdentity, spiffeIdOf, unary, WORKLOADS, type MeshIdentity } from '@switchyard/mesh';
import { executorV1, gatewayV1, inference, packageDefinition, policyV1, schedulerV1, telemetryV1 } from '@switchyard/proto';
import type { GRPCInferenceServiceClient, ModelInferResponse__Output, ModelMetadataResponse__Output, RepositoryIndexResponse__Output, ServerMetadataResponse } from '@switchyard/proto';
import { BUNDLED_MLP, bundledMlpSeed } from '@switchyard/executor';
import { mlpReference as mlpForward } from '@switchyard/onnx-builder';
import { connectGateway, makeRequest, type GatewayConn } from '../tools/cli/client.ts';

let dir: string;
let mesh: Mesh;
let gw: GatewayConn;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sy-e2e-'));
  mesh = await startMesh({ stateDir: dir });
  gw = connectGateway(mesh.endpoints);
});

after(async () => {
  gw?.close();
  await mesh?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** What the bundled mlp@1 must compute, from the same weights the repository was built with. */
function mlpReference(input: number[]): number[] {
  return Array.from(mlpForward({ ...BUNDLED_MLP, seed: bundledMlpSeed(1) }, input, 1));
}

test('endpoints.json names the gateway, credentials and a token', () => {
  const ep = JSON.parse(readFileSync(path.join(dir, 'endpoints.json'), 'utf8'));
  for (const k of ['gateway', 'ca', 'clientCert', 'clientKey', 'token']) assert.ok(ep[k], `endpoints.json lacks ${k}`);
  assert.ok(path.isAbsolute(ep.ca) && path.isAbsolute(ep.clientCert) && path.isAbsolute(ep.clientKey));
  assert.match(ep.gateway, /^127\.0\.0\.1:\d+$/);
  assert.equal(ep.token.split('.').length, 3);
});

test('ServerLive, ServerMetadata and RepositoryIndex over the Open Inference Protocol', async () => {
  assert.deepEqual(await gw.call('ServerLive', {}), { live: true });
  const md = await gw.call<ServerMetadataResponse>('ServerMetadata', {});
  assert.equal(md.name, 'switchyard');
  assert.ok(md.extensions?.includes('model_repository'));
  const idx = await gw.call<RepositoryIndexResponse__Output>('RepositoryIndex', {});
  const names = idx.models.map((m) => `${m.name}@${m.version}`);
  for (const m of ['ocr_cls@1', 'mlp@1', 'mlp@2']) assert.ok(names.includes(m), `${m} missing from ${names.join(' ')}`);
  assert.ok(idx.models.every((m) => m.state === 'READY'));
});

test('ModelMetadata reads inputs and outputs from the ONNX file', async () => {
  const md = await gw.call<ModelMetadataResponse__Output>('ModelMetadata', { name: 'ocr_cls' });
  assert.equal(md.name, 'ocr_cls');
  assert.equal(md.inputs[0]?.name, 'x');
  assert.equal(md.inputs[0]?.datatype, 'FP32');
  assert.deepEqual(md.inputs[0]?.shape, [-1, 3, -1, -1]);
  assert.equal(md.outputs[0]?.datatype, 'FP32');
  assert.deepEqual(md.outputs[0]?.shape, [-1, 2]);
});

test('ModelInfer on the PP-OCR classifier returns probabilities, raw and typed', async () => {
  const md = await gw.call<ModelMetadataResponse__Output>('ModelMetadata', { name: 'ocr_cls' });
  const req = makeRequest(md, { seed: 42 });
  const raw = await gw.call<ModelInferResponse__Output>('ModelInfer', req);
  assert.deepEqual(raw.outputs[0]?.shape, [1, 2]);
  const rb = raw.raw_output_contents[0]!;
  const probs = new Float32Array(rb.buffer.slice(rb.byteOffset, rb.byteOffset + rb.byteLength));
  assert.ok(Math.abs(probs[0]! + probs[1]! - 1) < 1e-4, `softmax sums to 1: ${probs}`);

  // The same input as typed contents gives the same answer, as typed contents.
  const buf = req.raw_input_contents![0] as Buffer;
  const fp32 = Array.from(new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)));
  const typed = await gw.call<ModelInferResponse__Output>('ModelInfer', {
    model_name: 'ocr_cls', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3, 48, 192], contents: { fp32_contents: fp32 } }],
  });
  const tp = typed.outputs[0]!.contents!.fp32_contents;
  assert.equal(tp.length, 2);
  assert.ok(Math.abs(tp[0]! - probs[0]!) < 1e-5 && Math.abs(tp[1]! - probs[1]!) < 1e-5);
  assert.equal(typed.raw_output_contents.length, 0);
});

test('requests run on both the GPU executor (in explicit CPU fallback) and the CPU executor', async () => {
  const md = await gw.call<ModelMetadataResponse__Output>('ModelMetadata', { name: 'mlp' });
  const seen = new Map<string, { pool: string; fallback: boolean }>();
  for (const pool of ['gpu', 'cpu']) {
    const res = await gw.call<ModelInferResponse__Output>('ModelInfer', makeRequest(md, { parameters: { pool: { string_param: pool } } }));
    seen.set(res.parameters.switchyard_executor!.string_param!, { pool: res.parameters.switchyard_pool!.string_param!, fallback: res.parameters.switchyard_cpu_fallback!.bool_param! });
  }
  assert.deepEqual(seen.get('gpu-1'), { pool: 'gpu', fallback: true });
  assert.deepEqual(seen.get('cpu-1'), { pool: 'cpu', fallback: false });
  const status = await mesh.clusterStatus();
  const gpu = status.executors.find((e) => e.heartbeat?.executor_id === 'gpu-1')!;
  assert.equal(gpu.heartbeat!.device!.cpu_fallback, true, 'the GPU executor says it runs on CPU');
  assert.equal(gpu.heartbeat!.device!.execution_provider, 'cpu');
  assert.ok(gpu.heartbeat!.device!.fallback_reason.length > 0);
});

test('bad requests get precise statuses', async () => {
  const md = await gw.call<ModelMetadataResponse__Output>('ModelMetadata', { name: 'ocr_cls' });
  const req = makeRequest(md);
  const short = { ...req, raw_input_contents: [(req.raw_input_contents![0] as Buffer).subarray(0, 100)] };
  await assert.rejects(gw.call('ModelInfer', short), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT && /x/.test(e.details) && /bytes/.test(e.details));
  await assert.rejects(gw.call('ModelInfer', { ...req, model_name: 'no_such_model' }), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND && /no_such_model/.test(e.details));
  await assert.rejects(gw.call('ModelMetadata', { name: 'no_such_model' }), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND);
});

test('a missing, unsigned or expired token is UNAUTHENTICATED', async () => {
  const md = await gw.call<ModelMetadataResponse__Output>('ModelMetadata', { name: 'mlp' });
  const req = makeRequest(md);
  const unsigned = (() => {
    const [, p] = mesh.endpoints.token.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    return `${header}.${p}.`;
  })();
  const expired = await mesh.issueToken({ tenant: 'demo', ttl_seconds: -60 });
  const cases: Array<[string, string | undefined, RegExp]> = [
    ['missing', undefined, /missing authorization/],
    ['unsigned', unsigned, /none/],
    ['expired', expired, /expired/],
    ['garbage', 'not-a-jwt', /malformed|Bearer/],
  ];
  for (const [name, token, re] of cases) {
    const c = connectGateway(mesh.endpoints, token ?? 'x');
    if (token === undefined) c.metadata.remove('authorization');
    try {
      await assert.rejects(c.call('ModelInfer', req), (e: grpc.ServiceError) => {
        assert.equal(e.code, grpc.status.UNAUTHENTICATED, `${name}: ${e.details}`);
        assert.match(e.details, re, name);
        return true;
      });
    } finally {
      c.close();
    }
  }
});

test('mTLS: no client certificate or another CA is refused in the handshake; a wrong identity gets PERMISSION_DENIED', async () => {
  // No client certificate at all.
  const ca = readFileSync(mesh.endpoints.ca);
  const noCert = new inference.GRPCInferenceService(mesh.endpoints.gateway, grpc.credentials.createSsl(ca), { 'grpc.ssl_target_name_override': 'localhost' }) as unknown as GRPCInferenceServiceClient;
  await assert.rejects(unary(noCert, 'ServerLive', {}, { deadlineMs: 3000 }), (e: grpc.ServiceError) => e.code === grpc.status.UNAVAILABLE);
  noCert.close();
  // A certificate from another CA.
  const foreign = await makeForeignIdentity(path.join(dir, 'foreign'), 'client');
  const other = createClient<GRPCInferenceServiceClient>(inference.GRPCInferenceService as never, mesh.endpoints.gateway, { ...foreign, caFile: mesh.endpoints.ca });
  await assert.rejects(unary(other, 'ServerLive', {}, { deadlineMs: 3000 }), (e: grpc.ServiceError) => e.code === grpc.status.UNAVAILABLE);
  other.close();
  // A valid mesh identity that may not call the public API.
  const exec: MeshIdentity = identityFromDir(path.join(dir, 'pki'), 'cpu-executor');
  const wrong = createClient<GRPCInferenceServiceClient>(inference.GRPCInferenceService as never, mesh.endpoints.gateway, exec);
  await assert.rejects(unary(wrong, 'ServerLive', {}, { deadlineMs: 3000 }), (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED && /cpu-executor/.test(e.details));
  wrong.close();
});

test('service identities: every RPC of every contract has declared callers, and every server refuses an identity the one table does not list', async () => {
  // Every method of every service in proto/ is in the table (a new RPC without an entry would be
  // refused to everyone by default deny).
  let methods = 0;
  for (const [name, def] of Object.entries(packageDefinition)) {
    if (!def || typeof def !== 'object' || 'format' in def) continue; // messages and enums
    for (const m of Object.values(def as Record<string, { path: string }>)) {
      methods++;
      assert.ok(allowedCallers(AUTHZ, m.path).length > 0, `${name}: ${m.path} has no declared callers`);
    }
  }
  assert.ok(methods > 30, `${methods} methods`);

  // Each server enforces it: a valid mesh identity that the table does not list for a method is
  // refused PERMISSION_DENIED naming it, before any handler runs.
  const executors = (await mesh.clusterStatus()).executors.map((e) => e.heartbeat!);
  const addrOf = (pool: string) => executors.find((h) => h.pool === pool)!.address;
  const servers: Array<[server: string, ctor: grpc.ServiceClientConstructor, address: string, method: string]> = [
    ['gateway', inference.GRPCInferenceService as unknown as grpc.ServiceClientConstructor, mesh.endpoints.gateway, 'ServerLive'],
    ['gateway', gatewayV1.Gateway as unknown as grpc.ServiceClientConstructor, mesh.endpoints.gateway, 'GatewayStatus'],
    ['policy', policyV1.Policy as unknown as grpc.ServiceClientConstructor, mesh.endpoints.policy, 'IssueToken'],
    ['placement-scheduler', schedulerV1.PlacementScheduler as unknown as grpc.ServiceClientConstructor, mesh.endpoints.scheduler, 'GetTable'],
    ['telemetry', telemetryV1.Telemetry as unknown as grpc.ServiceClientConstructor, mesh.endpoints.telemetry, 'GetSummary'],
    ['cpu-executor', executorV1.Executor as unknown as grpc.ServiceClientConstructor, addrOf('POOL_CPU'), 'LoadModel'],
    ['gpu-executor', executorV1.Executor as unknown as grpc.ServiceClientConstructor, addrOf('POOL_GPU'), 'UnloadModel'],
  ];
  for (const [server, ctor, address, method] of servers) {
    const fullPath = (ctor.service as unknown as Record<string, { path: string }>)[method]!.path;
    const allowed = allowedCallers(AUTHZ, fullPath);
    const caller = WORKLOADS.find((w) => !allowed.includes(w) && w !== server)!;
    const client = createClient<grpc.Client>(ctor as never, address, identityFromDir(path.join(dir, 'pki'), caller), { serverSpiffeId: spiffeIdOf(server) });
    try {
      await assert.rejects(unary(client, method, {}, { deadlineMs: 5000 }), (e: grpc.ServiceError) => {
        assert.equal(grpc.status[e.code], 'PERMISSION_DENIED', `${server} ${fullPath} as ${caller}: ${e.details}`);
        assert.equal(e.details, `${spiffeIdOf(caller)} may not call ${fullPath}`);
        return true;
      });
    } finally {
      client.close();
    }
  }
});

test('a gRPC client this repository did not write (Python grpcio, stubs from the proto) works from endpoints.json alone', async (t) => {
  const py = '/usr/bin/python3';
  const probe = spawnSync(py, ['-c', 'import grpc, grpc_tools'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    // Debian's python3-grpcio and python3-grpc-tools are installed by `npm test` (tools/bootstrap.sh) where apt works.
    t.skip(`Python grpcio is not installed here: ${probe.stderr.trim().split('\n').pop()}`);
    return;
  }
  const r = spawnSync(py, [path.join(REPO_ROOT, 'e2e/interop/oip_client.py'), path.join(dir, 'endpoints.json'), path.join(REPO_ROOT, 'proto')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.live, true);
  assert.equal(out.server_name, 'switchyard');
  assert.ok(out.models.includes('mlp@1:READY') && out.models.includes('ocr_cls@1:READY'), out.models.join(' '));
  assert.equal(out.mlp_inputs[0][1], 'FP32');
  assert.equal(out.raw_id, 'py-raw');
  assert.deepEqual(out.raw_shape, [1, out.mlp_outputs[0][2][1]]);
  const expected = mlpReference(out.input);
  assert.equal(out.raw_output.length, expected.length);
  out.raw_output.forEach((v: number, i: number) => assert.ok(Math.abs(v - expected[i]!) < 1e-4, `raw output ${i}: ${v} vs ${expected[i]}`));
  out.typed_output.forEach((v: number, i: number) => assert.ok(Math.abs(v - expected[i]!) < 1e-4, `typed output ${i}: ${v} vs ${expected[i]}`));
  assert.equal(out.truncated[0], 'INVALID_ARGUMENT');
  assert.equal(out.unknown_model[0], 'NOT_FOUND');
  assert.equal(out.no_token[0], 'UNAUTHENTICATED');
});

test('the switchyard CLI: status, token and infer against the running mesh', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(REPO_ROOT, 'tools/cli/switchyard.ts'), ...args, '--endpoints', path.join(dir, 'endpoints.json')], { encoding: 'utf8', timeout: 60_000 });
  const status = cli('status', '--json');
  assert.equal(status.status, 0, status.stderr);
  const s = JSON.parse(status.stdout);
  assert.deepEqual(s.executors.map((e: { heartbeat: { executor_id: string } }) => e.heartbeat.executor_id).sort(), ['cpu-1', 'gpu-1']);
  const human = cli('status');
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, /gpu-1\s+gpu\s+cpu \(CPU fallback\)/);
  const token = cli('token', '--tenant', 'acme', '--ttl', '60');
  assert.equal(token.status, 0, token.stderr);
  const claims = JSON.parse(Buffer.from(token.stdout.trim().split('.')[1]!, 'base64url').toString());
  assert.equal(claims.tenant, 'acme');
  assert.ok(claims.exp - claims.iat === 60);
  const infer = cli('infer', '--model', 'ocr_cls', '--pool', 'cpu', '--json');
  assert.equal(infer.status, 0, infer.stderr);
  const r = JSON.parse(infer.stdout);
  assert.equal(r.model, 'ocr_cls');
  assert.equal(r.pool, 'cpu');
  assert.deepEqual(r.outputs[0].shape, [1, 2]);
  const bad = cli('infer', '--model', 'nope');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /NOT_FOUND/);
});

test('ModelStatistics counts what the executors ran', async () => {
  const r = await gw.call<{ model_stats: Array<{ name: string; version: string; inference_count: number; inference_stats: { success: { count: number } } }> }>('ModelStatistics', { name: 'ocr_cls' });
  const s = r.model_stats.find((m) => m.name === 'ocr_cls');
  assert.ok(s, 'ocr_cls has statistics');
  assert.ok(s.inference_stats.success.count >= 2, `success count ${s.inference_stats.success.count}`);
});

test('SIGTERM: every service drains and exits 0 within 10 s', async () => {
  // Work in flight while the services stop: each request either completes or gets a clean
  // status (never a hang or a dropped connection without one).
  const md = await gw.call<ModelMetadataResponse__Output>('ModelMetadata', { name: 'ocr_cls' });
  const inflight = Array.from({ length: 8 }, (_, i) => gw.call('ModelInfer', makeRequest(md, { seed: i })).then(() => 'OK', (e: grpc.ServiceError) => grpc.status[e.code]));
  await new Promise((r) => setTimeout(r, 20));
  const results = await mesh.stop();
  for (const [name, r] of Object.entries(results)) {
    assert.equal(r.code, 0, `${name} exited ${r.code}`);
    assert.ok(r.ms < 10_000, `${name} took ${r.ms.toFixed(0)} ms to exit`);
  }
  assert.equal(Object.keys(results).length, 6);
  for (const outcome of await Promise.all(inflight)) assert.ok(['OK', 'UNAVAILABLE'].includes(outcome), `in-flight request ended ${outcome}`);
  mesh = undefined as unknown as Mesh;
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTypes } from './codegen.ts';
import { codec, inference, executorV1, packageDefinition } from './index.ts';
import type { Heartbeat, Heartbeat__Output } from './index.ts';

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  }).sort();
}

test('generated TypeScript types match proto/ (regenerate with npm run gen -w @switchyard/proto)', () => {
  const committed = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'gen');
  const fresh = mkdtempSync(path.join(tmpdir(), 'sy-gen-'));
  try {
    generateTypes(fresh);
    const a = listFiles(committed);
    const b = listFiles(fresh);
    assert.deepEqual(a, b, 'the set of generated files differs from proto/');
    for (const f of a) {
      assert.equal(readFileSync(path.join(committed, f), 'utf8'), readFileSync(path.join(fresh, f), 'utf8'), `${f} drifted from proto/`);
    }
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
});

test('the inference package keeps the Open Inference Protocol names and field numbers', () => {
  const svc = inference.GRPCInferenceService.service;
  for (const m of ['ServerLive', 'ServerReady', 'ModelReady', 'ServerMetadata', 'ModelMetadata', 'ModelInfer', 'ModelStatistics', 'RepositoryIndex']) {
    assert.ok(svc[m as keyof typeof svc], `missing method ${m}`);
    assert.equal((svc[m as keyof typeof svc] as { path: string }).path, `/inference.GRPCInferenceService/${m}`);
  }
  const req = packageDefinition['inference.ModelInferRequest'] as { type: { field: { name: string; number: number }[] } };
  const fields = Object.fromEntries(req.type.field.map((f) => [f.name, f.number]));
  assert.deepEqual(fields, { model_name: 1, model_version: 2, id: 3, parameters: 4, inputs: 5, outputs: 6, raw_input_contents: 7 });
  const contents = packageDefinition['inference.InferTensorContents'] as { type: { field: { name: string; number: number }[] } };
  assert.deepEqual(
    Object.fromEntries(contents.type.field.map((f) => [f.name, f.number])),
    { bool_contents: 1, int_contents: 2, int64_contents: 3, uint_contents: 4, uint64_contents: 5, fp32_contents: 6, fp64_contents: 7, bytes_contents: 8 },
  );
  assert.ok(executorV1.Executor.service.Infer);
});

test('NATS codecs round-trip a heartbeat and reject a malformed one', () => {
  const c = codec<Heartbeat, Heartbeat__Output>('switchyard.executor.v1.Heartbeat');
  const hb: Heartbeat = {
    executor_id: 'cpu-1', pool: 'POOL_CPU', region: 'eu-west', address: '127.0.0.1:7420', seq: 7, sent_at_ms: 1_700_000_000_123,
    models: [{ name: 'm', version: '1', state: 'READY', service_times: [{ batch_size: 4, ms: 1.5 }] }],
    device: { execution_provider: 'cpu', cpu_fallback: false },
  };
  const out = c.decode(c.encode(hb));
  assert.equal(out.executor_id, 'cpu-1');
  assert.equal(out.pool, 'POOL_CPU');
  assert.equal(out.sent_at_ms, 1_700_000_000_123);
  assert.equal(out.models[0]?.service_times[0]?.ms, 1.5);
  assert.equal(out.draining, false);
  assert.throws(() => c.encode({ device: 'gpu' } as unknown as Heartbeat), /device: object expected/);
});

test('encodes share one growing writer: each message gets exactly its own bytes, also after a failed encode', () => {
  const c = codec<Heartbeat, Heartbeat__Output>('switchyard.executor.v1.Heartbeat');
  const hb = (n: number): Heartbeat => ({ executor_id: `e${n}`, region: 'r'.repeat(n), models: Array.from({ length: n % 7 }, (_, i) => ({ name: `m${i}`, version: '1', state: 'READY' })) });
  // Sizes up and down, across the writer's doublings and the 1 MiB limit it keeps.
  for (const n of [3, 900, 5, 40_000, 2, 1_200_000, 7, 64]) {
    const bytes = c.encode(hb(n));
    const out = c.decode(bytes);
    assert.equal(out.region.length, n);
    assert.equal(out.executor_id, `e${n}`);
    assert.equal(out.models.length, n % 7);
    // The returned bytes are the message's own: a later encode does not change them.
    const copy = Buffer.from(bytes);
    c.encode(hb(n + 1));
    assert.deepEqual(Buffer.from(bytes), copy);
    if (n === 900) assert.throws(() => c.encode({ models: [{ service_times: 5 }] } as unknown as Heartbeat));
  }
  assert.deepEqual(c.decode(c.encodeWire({ executor_id: 'w', seq: 3 })), c.decode(c.encode({ executor_id: 'w', seq: 3 })));
});

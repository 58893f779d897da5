import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { context, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { startNats, type NatsHandle } from '@switchyard/devstack';
import { createLogger } from '@switchyard/log';
import { codec } from '@switchyard/proto';
import type { Heartbeat, Heartbeat__Output } from '@switchyard/proto';
import { Bus, SUBJECTS } from './index.ts';

const lines: string[] = [];
const log = createLogger({ service: 'bus-test', destination: new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }) as never });
const hbCodec = codec<Heartbeat, Heartbeat__Output>('switchyard.executor.v1.Heartbeat');
let dir: string;
let nats: NatsHandle;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sy-bus-'));
  nats = await startNats({ dataDir: dir });
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
after(async () => {
  await nats.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('protobuf messages cross NATS with the W3C trace context in the headers', async () => {
  const a = await Bus.connect({ url: nats.url, name: 'a', log });
  const b = await Bus.connect({ url: nats.url, name: 'b', log });
  try {
    const got = new Promise<{ hb: Heartbeat__Output; traceId: string | undefined }>((resolve) => {
      b.subscribe(SUBJECTS.heartbeatAll, hbCodec, (hb, meta) => resolve({ hb, traceId: trace.getSpanContext(meta.context)?.traceId }));
    });
    await b.nc.flush();
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const ctx = trace.setSpanContext(context.active(), { traceId, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true });
    a.publish(SUBJECTS.heartbeat('cpu-1'), hbCodec, { executor_id: 'cpu-1', pool: 'POOL_CPU', seq: 3 }, ctx);
    const r = await got;
    assert.equal(r.hb.executor_id, 'cpu-1');
    assert.equal(r.hb.pool, 'POOL_CPU');
    assert.equal(r.hb.seq, 3);
    assert.equal(r.traceId, traceId);
  } finally {
    await a.close();
    await b.close();
  }
});

test('an undecodable message is dropped with a warning and the subscription keeps working', async () => {
  const bus = await Bus.connect({ url: nats.url, name: 'c', log });
  try {
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => bus.subscribe('sy.v1.test.x', hbCodec, (hb) => { seen.push(hb.executor_id); resolve(); }));
    await bus.nc.flush();
    bus.nc.publish('sy.v1.test.x', new Uint8Array([0xff, 0xff, 0xff]));
    bus.publish('sy.v1.test.x', hbCodec, { executor_id: 'ok' });
    await done;
    assert.deepEqual(seen, ['ok']);
    assert.ok(lines.some((l) => l.includes('dropped undecodable message')));
  } finally {
    await bus.close();
  }
});

test('durable publish waits for the JetStream acknowledgement', async () => {
  const bus = await Bus.connect({ url: nats.url, name: 'd', log });
  try {
    const jsm = await bus.jsm();
    await jsm.streams.add({ name: 'SYTEST', subjects: ['sy.v1.durable.>'] });
    await bus.publishDurable('sy.v1.durable.one', hbCodec, { executor_id: 'x' }, 'msg-1');
    await bus.publishDurable('sy.v1.durable.one', hbCodec, { executor_id: 'x' }, 'msg-1'); // de-duplicated
    const info = await jsm.streams.info('SYTEST');
    assert.equal(info.state.messages, 1);
  } finally {
    await bus.close();
  }
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http2 from 'node:http2';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createLogger } from '@switchyard/log';
import { ensureDevPki, type MeshIdentity } from './pki.ts';
import { MeshServer } from './server.ts';
import { DEFAULT_CONNECTION_WINDOW_BYTES, DEFAULT_STREAM_WINDOW_BYTES, widenSessions, windowSettings } from './flow-control.ts';

const log = createLogger({ service: 'flow-control-test', level: 'silent' });
let dir: string;
let ids: Record<string, MeshIdentity>;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-window-'));
  ids = await ensureDevPki(dir);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What a peer learns from the server: its SETTINGS' stream window and, once the server has
 *  sent its WINDOW_UPDATE, how much the connection may carry unacknowledged. */
async function windowsSeenBy(client: MeshIdentity, port: number): Promise<{ stream: number; connection: number }> {
  const session = http2.connect(`https://127.0.0.1:${port}`, {
    ca: fs.readFileSync(client.caFile), cert: fs.readFileSync(client.certFile), key: fs.readFileSync(client.keyFile),
    checkServerIdentity: () => undefined,
  });
  try {
    const settings = await new Promise<http2.Settings>((resolve, reject) => { session.once('remoteSettings', resolve); session.once('error', reject); });
    const until = Date.now() + 5000;
    while ((session.state.remoteWindowSize ?? 0) <= 65_535 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    return { stream: settings.initialWindowSize ?? -1, connection: session.state.remoteWindowSize ?? -1 };
  } finally {
    session.destroy();
  }
}

test('a mesh server offers 1 MiB stream and 16 MiB connection windows (not HTTP/2\'s 64 KiB)', async () => {
  const s = new MeshServer({ identity: ids.gateway!, port: 0, log, services: [] });
  await s.start();
  try {
    const w = await windowsSeenBy(ids.client!, s.port);
    assert.equal(w.stream, DEFAULT_STREAM_WINDOW_BYTES);
    assert.equal(w.connection, DEFAULT_CONNECTION_WINDOW_BYTES);
  } finally {
    await s.shutdown(100);
  }
});

test('the windows are configurable per server', async () => {
  const s = new MeshServer({ identity: ids.gateway!, port: 0, log, services: [], flowControlWindows: { streamBytes: 256 * 1024, connectionBytes: 2 * 1024 * 1024 } });
  await s.start();
  try {
    assert.deepEqual(await windowsSeenBy(ids.client!, s.port), { stream: 256 * 1024, connection: 2 * 1024 * 1024 });
  } finally {
    await s.shutdown(100);
  }
});

test('without the grpc-js internals they rely on, both steps say so and change nothing', () => {
  const warnings: string[] = [];
  const spy = { warn: (_o: unknown, msg: string) => warnings.push(msg) } as unknown as Parameters<typeof windowSettings>[3];
  const sizes = { streamBytes: 1, connectionBytes: 1 };
  assert.equal(windowSettings({} as grpc.ServerCredentials, sizes, 10, spy), false);
  assert.equal(widenSessions(new grpc.Server(), sizes, spy), false, 'an unbound server has no HTTP/2 server yet');
  assert.equal(warnings.length, 2);
  assert.match(warnings.join('\n'), /stream windows stay at 64 KiB[\s\S]*connection windows stay at 64 KiB/);
});

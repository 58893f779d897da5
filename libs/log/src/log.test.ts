import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from './index.ts';

test('log lines are JSON with service and level, and payload fields are redacted', () => {
  const lines: string[] = [];
  const dest = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  const log = createLogger({ service: 'gateway', destination: dest as never, level: 'info' });
  log.info({ token: 'secret-jwt', model: 'm' }, 'hello');
  log.debug('hidden');
  assert.equal(lines.length, 1);
  const rec = JSON.parse(lines[0]!);
  assert.equal(rec.service, 'gateway');
  assert.equal(rec.level, 'info');
  assert.equal(rec.msg, 'hello');
  assert.equal(rec.model, 'm');
  assert.equal(rec.token, '[redacted]');
});

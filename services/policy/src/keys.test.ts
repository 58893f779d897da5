import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KeyStore } from '@switchyard/auth';
import { createLogger } from '@switchyard/log';
import type { AuditEvent } from '@switchyard/proto';
import { KeyRotation } from './keys.ts';

const log = createLogger({ service: 'policy-test', level: 'silent' });
const DAY = 86_400_000;

test('periodic rotation: due after the period, audited, published ahead, promoted, the old key retired after the overlap', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sy-keys-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  let clock = 10 * DAY;
  const keys = await KeyStore.open(dir, { now: () => clock });
  const first = keys.currentKid;
  const audit: AuditEvent[] = [];
  const announced: string[][] = [];
  const r = new KeyRotation({ keys, log, publishDelayMs: 60_000, overlapMs: 30 * DAY, rotateEveryMs: 30 * DAY, now: () => clock, audit: async (e) => { audit.push(e); }, announce: async (kids) => { announced.push(kids); } });

  clock += 29 * DAY;
  await r.step();
  assert.equal(keys.nextKid, undefined, 'not due yet');
  clock += DAY;
  await r.step();
  const next = keys.nextKid;
  assert.ok(next, 'a rotation started when due');
  assert.deepEqual(keys.jwks().keys.map((k) => k.kid), [first, next]);
  assert.equal(audit.length, 1);
  assert.deepEqual([audit[0]!.kind, audit[0]!.rule, audit[0]!.decision, audit[0]!.actor], ['admin', 'keys', 'rotate', 'policy (periodic rotation)']);
  assert.match(String(audit[0]!.reason), new RegExp(`key ${next} published, signs from .*; key ${first} verifies until `));

  clock += 60_000;
  await r.step();
  assert.equal(keys.currentKid, next);
  assert.deepEqual(keys.jwks().keys.map((k) => k.kid), [next, first]);
  // Each change of the JWKS is announced (gateways fetch it again at once); a step without one is not.
  assert.deepEqual(announced, [[first, next], [next, first]]);
  await r.step();
  assert.equal(announced.length, 2);
  // Not again while the old key is in its overlap, even when the period has passed for the new one.
  clock += 30 * DAY - 1;
  await r.step();
  assert.equal(audit.length, 1);
  clock += 1;
  await r.step(); // the overlap ends: the old key is retired, and the new key's period is up too
  assert.ok(!keys.jwks().keys.some((k) => k.kid === first), 'old key retired');
  assert.equal(audit.length, 2, 'the next periodic rotation');
  assert.deepEqual(announced.slice(2), [[next], [next, keys.nextKid!]], 'the retirement, then the new rotation');
});

test('rotation off (period 0): only on request; a request during a rotation is refused with the reason', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sy-keys-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  let clock = DAY;
  const keys = await KeyStore.open(dir, { now: () => clock });
  const r = new KeyRotation({ keys, log, publishDelayMs: 1000, overlapMs: 5000, rotateEveryMs: 0, now: () => clock });
  clock += 365 * DAY;
  await r.step();
  assert.equal(keys.nextKid, undefined);
  const plan = await r.rotate('alice', false);
  await assert.rejects(r.rotate('bob', false), /a rotation is under way/);
  clock += 1000;
  await r.step();
  assert.equal(keys.currentKid, plan.nextKid);
});

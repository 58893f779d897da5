import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { LoadShedder, shedLimit } from './shed.ts';
import { StatusError } from './errors.ts';

test('shedLimit: level 1 (highest) never; lower priorities (higher numbers) at lower fractions of capacity', () => {
  assert.equal(shedLimit(100, 1), Infinity);
  assert.ok(Math.abs(shedLimit(100, 2) - 100 * (1 - 1 / 30)) < 1e-9);
  assert.ok(Math.abs(shedLimit(100, 15) - 100 * (1 - 14 / 30)) < 1e-9);
  for (let p = 2; p < 15; p++) assert.ok(shedLimit(100, p + 1) < shedLimit(100, p));
});

test('under overload, lower priorities are shed first while priority 1 still goes through', () => {
  const s = new LoadShedder({ perSlot: 2 });
  const slots = 5; // capacity 10
  const held: Array<() => void> = [];
  for (let i = 0; i < 6; i++) held.push(s.enter('m', 2, slots));
  // 6 in flight: priority 15 (limit ~5.3) is shed, the default level 2 (limit ~9.7) is not.
  assert.throws(() => s.enter('m', 15, slots), (e: StatusError) => e.code === grpc.status.RESOURCE_EXHAUSTED && /^shed: overload, priority 15/.test(e.message));
  held.push(s.enter('m', 2, slots));
  for (let i = 0; i < 3; i++) held.push(s.enter('m', 2, slots));
  assert.equal(s.current('m'), 10);
  assert.throws(() => s.enter('m', 2, slots), /shed: overload, priority 2 /);
  const top = s.enter('m', 1, slots);
  assert.equal(s.current('m'), 11, 'priority 1 is admitted over capacity');
  assert.equal(s.current('other'), 0, 'routes are counted apart');
  assert.equal(s.shed, 2);
  top();
  top(); // releasing twice is harmless
  for (const r of held) r();
  assert.equal(s.current('m'), 0);
  s.enter('m', 15, slots)();
});

test('no usable executor (capacity unknown): nothing is shed, placement answers instead', () => {
  const s = new LoadShedder();
  const r = s.enter('m', 15, 0);
  assert.equal(s.current('m'), 1);
  r();
  assert.equal(s.shed, 0);
});

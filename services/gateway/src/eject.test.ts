import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ejections } from './eject.ts';

test('ejection lasts ejectMs, then lapses; a repeat failure renews it', () => {
  const e = new Ejections({ ejectMs: 2000 });
  e.eject('cpu-1', 1000);
  assert.equal(e.isEjected('cpu-1', 1500), true);
  assert.equal(e.isEjected('cpu-2', 1500), false);
  assert.deepEqual(e.active(2999), ['cpu-1']);
  e.eject('cpu-1', 2500);
  assert.equal(e.isEjected('cpu-1', 3500), true);
  assert.equal(e.isEjected('cpu-1', 4500), false);
  assert.equal(e.size, 0);
  assert.deepEqual(e.active(4500), []);
});

test('onEject hears each new ejection once (renewals while ejected are not new), with its reason', () => {
  const heard: string[] = [];
  const e = new Ejections({ ejectMs: 1000, onEject: (id, reason) => heard.push(`${id}:${reason}`) });
  e.eject('cpu-1', 0);
  e.eject('cpu-1', 10); // a second request failing towards the same dead executor
  e.eject('gpu-1', 20, 'drain');
  assert.deepEqual(heard, ['cpu-1:executor_lost', 'gpu-1:drain']);
  e.eject('cpu-1', 2000); // lapsed at 1010: ejected again
  assert.deepEqual(heard, ['cpu-1:executor_lost', 'gpu-1:drain', 'cpu-1:executor_lost']);
  // The hook can be installed after construction (the router builds its Ejections itself).
  const late = new Ejections();
  late.onEject = (id) => heard.push(`late:${id}`);
  late.eject('x', 0);
  assert.equal(heard.at(-1), 'late:x');
});

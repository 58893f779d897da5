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

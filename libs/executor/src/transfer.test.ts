import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spansWholeBuffer } from './transfer.ts';

test('only a view over all of its own, non-shared buffer may be transferred', () => {
  assert.equal(spansWholeBuffer(new Float32Array(4)), true);
  assert.equal(spansWholeBuffer(new Float32Array(new ArrayBuffer(64), 16, 4)), false, 'offset view');
  assert.equal(spansWholeBuffer(new Float32Array(new ArrayBuffer(64), 0, 4)), false, 'prefix view');
  assert.equal(spansWholeBuffer(new Uint8Array(new SharedArrayBuffer(8))), false, 'shared memory cannot be transferred');
});

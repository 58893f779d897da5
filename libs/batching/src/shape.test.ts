import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shapeKey } from './shape.ts';

test('shapeKey ignores the batch dim and input order', () => {
  const a = shapeKey([
    { name: 'x', datatype: 'FP32', shape: [1, 3, 224, 224] },
    { name: 'mask', datatype: 'INT64', shape: [1, 16] },
  ]);
  const b = shapeKey([
    { name: 'mask', datatype: 'INT64', shape: [8, 16] },
    { name: 'x', datatype: 'FP32', shape: [8, 3, 224, 224] },
  ]);
  assert.equal(a, b);
});

test('shapeKey differs on datatype, any non-batch dim, rank, input name or input set', () => {
  const k = (inputs: { name: string; datatype: string; shape: number[] }[]) => shapeKey(inputs);
  const base = k([{ name: 'x', datatype: 'FP32', shape: [1, 3, 224, 224] }]);
  const variants = [
    k([{ name: 'x', datatype: 'FP16', shape: [1, 3, 224, 224] }]),
    k([{ name: 'x', datatype: 'FP32', shape: [1, 3, 224, 225] }]),
    k([{ name: 'x', datatype: 'FP32', shape: [1, 3, 224] }]),
    k([{ name: 'y', datatype: 'FP32', shape: [1, 3, 224, 224] }]),
    k([
      { name: 'x', datatype: 'FP32', shape: [1, 3, 224, 224] },
      { name: 'z', datatype: 'FP32', shape: [1] },
    ]),
  ];
  for (const v of variants) assert.notEqual(v, base);
  assert.equal(new Set(variants).size, variants.length);
});

test('shapeKey is not fooled by separators inside names', () => {
  const a = shapeKey([{ name: 'a","FP32', datatype: 'FP32', shape: [1] }]);
  const b = shapeKey([{ name: 'a', datatype: 'FP32","FP32', shape: [1] }]);
  assert.notEqual(a, b);
});

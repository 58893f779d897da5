import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codec, inference } from '@switchyard/proto';
import { decodeInferRequest, passthroughDefinition, requestForVersion, withResponseExtras } from './passthrough.ts';

const reqCodec = codec<Record<string, unknown>, Record<string, unknown>>('inference.ModelInferRequest');
const resCodec = codec<Record<string, unknown>, Record<string, unknown>>('inference.ModelInferResponse');

const full = {
  model_name: 'ocr_cls', model_version: '', id: 'req-7',
  parameters: { priority: { int64_param: 1 }, pool: { string_param: 'cpu' }, data_classification: { string_param: 'ae' }, flag: { bool_param: false } },
  inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], contents: { fp32_contents: [1, 2, 3] } }, { name: 'y', datatype: 'INT64', shape: [2] }],
  outputs: [{ name: 'out' }],
  raw_input_contents: [Buffer.alloc(16, 7)],
};

test('the header view reads what admission and placement need, as the full decoder would', () => {
  const bytes = Buffer.from(reqCodec.encode(full));
  const h = decodeInferRequest(bytes);
  const whole = reqCodec.decode(bytes);
  assert.equal(h.model_name, whole.model_name);
  assert.equal(h.model_version, '');
  assert.equal(h.id, 'req-7');
  assert.deepEqual(h.parameters, whole.parameters);
  assert.equal(h.parameters.pool!.parameter_choice, 'string_param');
  assert.equal(h.parameters.flag!.bool_param, false);
  assert.ok(h.raw === bytes, 'the bytes are kept, not copied');
  assert.equal((h as unknown as Record<string, unknown>).inputs, undefined, 'tensors are not decoded');
});

test('the forwarded request decodes to the caller\'s request with the resolved version', () => {
  const bytes = Buffer.from(reqCodec.encode(full));
  const pieces = requestForVersion(decodeInferRequest(bytes), '3');
  assert.equal(pieces[0]!.buffer, bytes.buffer, "the caller's bytes, uncopied");
  const fwd = reqCodec.decode(Buffer.concat(pieces));
  assert.deepEqual({ ...fwd, model_version: '' }, reqCodec.decode(bytes));
  assert.equal(fwd.model_version, '3');
  assert.deepEqual(requestForVersion(decodeInferRequest(Buffer.from(reqCodec.encode({ ...full, model_version: '3' }))), '3').length, 1, 'the version asked for: nothing appended');
});

test('the response: the executor\'s bytes with the gateway\'s parameters merged into its map', () => {
  const exec = Buffer.from(resCodec.encode({ model_name: 'ocr_cls', model_version: '3', id: 'req-7', parameters: { executor_note: { string_param: 'x' } }, outputs: [{ name: 'out', datatype: 'FP32', shape: [1, 2] }], raw_output_contents: [Buffer.alloc(8, 1)] }));
  const extras = { switchyard_pool: { string_param: 'cpu' }, switchyard_cpu_fallback: { bool_param: false }, switchyard_attempts: { int64_param: 2 }, switchyard_cost: { double_param: 1.5e-9 } };
  // Written as they are (no fromObject): the same bytes as the checked encoder's.
  assert.deepEqual(withResponseExtras(Buffer.alloc(0), '3', extras), Buffer.from(resCodec.encode({ model_version: '3', parameters: extras })));
  const out = resCodec.decode(withResponseExtras(exec, '3', extras));
  assert.equal(out.id, 'req-7');
  assert.equal(out.model_version, '3');
  const p = out.parameters as Record<string, Record<string, unknown>>;
  assert.equal(p.executor_note!.string_param, 'x');
  assert.equal(p.switchyard_pool!.string_param, 'cpu');
  assert.equal(p.switchyard_cpu_fallback!.bool_param, false);
  assert.equal(p.switchyard_attempts!.int64_param, 2);
  assert.equal(p.switchyard_cost!.double_param, 1.5e-9);
  assert.deepEqual((out.raw_output_contents as Buffer[])[0], Buffer.alloc(8, 1));
});

test('the service definition: ModelInfer reads headers and writes bytes; the other methods are untouched', () => {
  const def = inference.GRPCInferenceService.service;
  const pt = passthroughDefinition(def);
  assert.equal(pt.ModelMetadata, def.ModelMetadata);
  assert.equal(pt.ModelInfer!.path, '/inference.GRPCInferenceService/ModelInfer');
  const b = Buffer.from([1, 2, 3]);
  assert.equal(pt.ModelInfer!.responseSerialize(b), b);
  const viaObject = pt.ModelInfer!.responseSerialize({ model_name: 'm' });
  assert.equal(resCodec.decode(viaObject).model_name, 'm');
});

// Open Inference Protocol tensors <-> onnxruntime tensors, with validation against the model's
// metadata. Every failure is an ExecutorError naming the tensor and what is wrong.
//
// Raw contents are little-endian (the host is assumed little-endian, as x86-64 and arm64 are).
// BYTES raw contents: each element a 4-byte little-endian length then its bytes. BYTES map to
// onnxruntime string tensors, so elements are decoded as UTF-8.
// Typed INT64/UINT64 contents arrive as JS numbers (the loader's longs: Number), so values beyond
// 2^53 need raw contents; on output, 64-bit values beyond 2^53 are sent as decimal strings
// (exact on the wire).
import ort from 'onnxruntime-node';
import type { ModelInferRequest__Output, InferTensorContents } from '@switchyard/proto';
import { invalid, exhausted } from './errors.ts';

export const OIP_DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'] as const;
export type OipDatatype = (typeof OIP_DATATYPES)[number];

export interface TensorMeta {
  name: string;
  datatype: OipDatatype;
  /** -1 for a dynamic dimension. */
  shape: number[];
}

export const ORT_TO_OIP: Record<string, OipDatatype> = {
  bool: 'BOOL', uint8: 'UINT8', uint16: 'UINT16', uint32: 'UINT32', uint64: 'UINT64',
  int8: 'INT8', int16: 'INT16', int32: 'INT32', int64: 'INT64',
  float16: 'FP16', float32: 'FP32', float64: 'FP64', string: 'BYTES',
};
export const OIP_TO_ORT: Record<OipDatatype, ort.Tensor.Type> = {
  BOOL: 'bool', UINT8: 'uint8', UINT16: 'uint16', UINT32: 'uint32', UINT64: 'uint64',
  INT8: 'int8', INT16: 'int16', INT32: 'int32', INT64: 'int64',
  FP16: 'float16', FP32: 'float32', FP64: 'float64', BYTES: 'string',
};
/** Bytes per element (BYTES: variable, 0 here). */
export const ELEMENT_SIZE: Record<OipDatatype, number> = {
  BOOL: 1, UINT8: 1, UINT16: 2, UINT32: 4, UINT64: 8, INT8: 1, INT16: 2, INT32: 4, INT64: 8,
  FP16: 2, FP32: 4, FP64: 8, BYTES: 0,
};

type TypedArrayCtor = { new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): ArrayLike<number | bigint> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }; BYTES_PER_ELEMENT: number };
const ARRAY_OF: Record<Exclude<OipDatatype, 'BYTES'>, TypedArrayCtor> = {
  BOOL: Uint8Array, UINT8: Uint8Array, UINT16: Uint16Array, UINT32: Uint32Array, UINT64: BigUint64Array,
  INT8: Int8Array, INT16: Int16Array, INT32: Int32Array, INT64: BigInt64Array,
  FP16: Uint16Array, FP32: Float32Array, FP64: Float64Array,
};

/** Which typed contents field carries each datatype (FP16 has none: raw only). */
export const CONTENTS_FIELD: Record<OipDatatype, keyof InferTensorContents | null> = {
  BOOL: 'bool_contents', UINT8: 'uint_contents', UINT16: 'uint_contents', UINT32: 'uint_contents',
  UINT64: 'uint64_contents', INT8: 'int_contents', INT16: 'int_contents', INT32: 'int_contents',
  INT64: 'int64_contents', FP16: null, FP32: 'fp32_contents', FP64: 'fp64_contents', BYTES: 'bytes_contents',
};
const CONTENT_FIELDS = ['bool_contents', 'int_contents', 'int64_contents', 'uint_contents', 'uint64_contents', 'fp32_contents', 'fp64_contents', 'bytes_contents'] as const;

const INT_RANGE: Partial<Record<OipDatatype, [number, number]>> = {
  INT8: [-128, 127], INT16: [-32768, 32767], INT32: [-2147483648, 2147483647],
  UINT8: [0, 255], UINT16: [0, 65535], UINT32: [0, 4294967295],
};

export const fmtShape = (s: readonly number[]) => `[${s.join(',')}]`;
const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** A tensor for onnxruntime-node; float16 data handed to the native side as Uint16Array. */
export function makeTensor(type: ort.Tensor.Type, data: unknown, dims: readonly number[]): ort.Tensor {
  const t = new ort.Tensor(type, data as ort.Tensor.DataType, dims);
  // onnxruntime-common wraps Uint16Array float16 data in a Float16Array when the runtime has one
  // (Node 24 does), but the native binding cannot read Float16Array: keep the Uint16Array view.
  if (type === 'float16' && data instanceof Uint16Array) (t as unknown as { cpuData: unknown }).cpuData = data;
  return t;
}

export interface DecodeOptions {
  model: string;
  maxBatchSize: number;
  /** Limit on the decoded size of all inputs together (bytes); over it -> RESOURCE_EXHAUSTED. */
  maxRequestBytes: number;
  /** Leave numeric raw inputs in the request's bytes (RawInput) instead of copying each into a
   *  tensor: the executor copies them once, into the batch (concatRows) or a tensor (toTensor). */
  deferCopy?: boolean;
}

/**
 * A validated numeric input still in the request's bytes. The one copy into an onnxruntime tensor
 * is made where the run's input is assembled: concatRows copies it into the batch, toTensor into a
 * buffer of its own. (The bytes are usually a view at an arbitrary offset of the gRPC message, so
 * they cannot be a typed-array view themselves.)
 */
export class RawInput {
  readonly type: ort.Tensor.Type;
  readonly datatype: Exclude<OipDatatype, 'BYTES' | 'BOOL'>;
  readonly dims: readonly number[];
  readonly bytes: Uint8Array;
  constructor(type: ort.Tensor.Type, datatype: Exclude<OipDatatype, 'BYTES' | 'BOOL'>, dims: readonly number[], bytes: Uint8Array) {
    this.type = type;
    this.datatype = datatype;
    this.dims = dims;
    this.bytes = bytes;
  }

  /** A tensor over a copy of the bytes in a buffer of exactly their length (transferable). */
  toTensor(): ort.Tensor {
    return makeTensor(this.type, ownCopy(this.datatype, this.bytes), this.dims);
  }
}

/** The bytes as a typed array over a buffer of its own, exactly their length. Every byte is
 *  written, so the buffer is not zero-filled first. (gRPC bytes are often views at unaligned
 *  offsets of a larger buffer, which a typed array cannot be.) */
function ownCopy(dt: Exclude<OipDatatype, 'BYTES'>, bytes: Uint8Array): ArrayLike<number | bigint> {
  const copy = Buffer.allocUnsafeSlow(bytes.byteLength);
  copy.set(bytes);
  return new ARRAY_OF[dt](copy.buffer, 0, bytes.byteLength / ELEMENT_SIZE[dt]);
}

/** A decoded input: a tensor, or (decodeRequest with deferCopy) raw bytes not yet copied. */
export type Feed = ort.Tensor | RawInput;

/** The tensor of a feed (RawInput: copied into a buffer of its own). */
export const toTensor = (f: Feed): ort.Tensor => (f instanceof RawInput ? f.toTensor() : f);

export interface DecodedRequest<F extends Feed = ort.Tensor> {
  feeds: Record<string, F>;
  /** True when the request used raw_input_contents (the response then uses raw too). */
  raw: boolean;
  /** Rows along the batch dimension (1 when the model does not batch). */
  batch: number;
  /** Output names to return, in order. */
  outputNames: string[];
}

/** Validate a request against the model's inputs/outputs and build onnxruntime feeds. */
export function decodeRequest(req: ModelInferRequest__Output, inputs: TensorMeta[], outputs: TensorMeta[], o: DecodeOptions & { deferCopy: true }): DecodedRequest<Feed>;
export function decodeRequest(req: ModelInferRequest__Output, inputs: TensorMeta[], outputs: TensorMeta[], o: DecodeOptions): DecodedRequest;
export function decodeRequest(req: ModelInferRequest__Output, inputs: TensorMeta[], outputs: TensorMeta[], o: DecodeOptions): DecodedRequest<Feed> {
  const metaByName = new Map(inputs.map((m) => [m.name, m]));
  const seen = new Set<string>();
  for (const t of req.inputs) {
    if (!metaByName.has(t.name)) throw invalid(`unknown input '${t.name}' for model '${o.model}' (inputs: ${inputs.map((m) => m.name).join(', ')})`);
    if (seen.has(t.name)) throw invalid(`input '${t.name}' given more than once`);
    seen.add(t.name);
  }
  for (const m of inputs) if (!seen.has(m.name)) throw invalid(`missing input '${m.name}' (${m.datatype} ${fmtShape(m.shape)}) for model '${o.model}'`);

  const raw = req.raw_input_contents.length > 0;
  const hasTyped = (c: InferTensorContents | null | undefined) => !!c && CONTENT_FIELDS.some((f) => ((c[f] as unknown[] | undefined)?.length ?? 0) > 0);
  if (raw) {
    const typed = req.inputs.find((t) => hasTyped(t.contents));
    if (typed) throw invalid(`request mixes raw_input_contents with typed contents (input '${typed.name}'): use one or the other`);
    if (req.raw_input_contents.length !== req.inputs.length)
      throw invalid(`raw_input_contents has ${req.raw_input_contents.length} entries but the request has ${req.inputs.length} inputs`);
  }

  let batch = 1;
  let total = 0;
  const feeds: Record<string, Feed> = {};
  req.inputs.forEach((t, idx) => {
    const m = metaByName.get(t.name)!;
    if (t.datatype !== m.datatype) throw invalid(`input '${t.name}': datatype ${t.datatype || '(empty)'} does not match the model's ${m.datatype}`);
    const shape = t.shape.map(Number);
    if (shape.length !== m.shape.length) throw invalid(`input '${t.name}': shape ${fmtShape(shape)} has rank ${shape.length}, the model expects rank ${m.shape.length} ${fmtShape(m.shape)}`);
    shape.forEach((d, i) => {
      if (!Number.isSafeInteger(d) || d < 0) throw invalid(`input '${t.name}': dimension ${i} is ${d}, expected a non-negative integer`);
      const md = m.shape[i]!;
      if (md >= 0 && md !== d) throw invalid(`input '${t.name}': dimension ${i} is ${d}, the model expects ${md} (shape ${fmtShape(m.shape)})`);
    });
    if (o.maxBatchSize > 0) {
      const b = shape[0] ?? 0;
      if (b > o.maxBatchSize) throw invalid(`input '${t.name}': batch size ${b} exceeds max_batch_size ${o.maxBatchSize} of model '${o.model}'`);
      if (b < 1) throw invalid(`input '${t.name}': batch size must be at least 1`);
      batch = b;
    }
    const n = product(shape);
    const size = ELEMENT_SIZE[m.datatype];
    total += m.datatype === 'BYTES' ? (raw ? req.raw_input_contents[idx]!.length : 0) : n * size;
    if (total > o.maxRequestBytes) throw exhausted(`request inputs total more than ${o.maxRequestBytes} bytes (limit maxRequestBytes) at input '${t.name}' ${fmtShape(shape)} ${m.datatype}`);
    feeds[t.name] = raw ? fromRaw(t.name, m.datatype, shape, req.raw_input_contents[idx]!, o.deferCopy ?? false) : fromTyped(t.name, m.datatype, shape, t.contents);
  });
  if (o.maxBatchSize > 0) {
    const bs = new Set(req.inputs.map((t) => Number(t.shape[0])));
    if (bs.size > 1) throw invalid(`inputs disagree on the batch dimension: ${[...bs].join(' vs ')}`);
  }

  let outputNames = outputs.map((m) => m.name);
  if (req.outputs.length > 0) {
    const known = new Set(outputNames);
    for (const r of req.outputs) if (!known.has(r.name)) throw invalid(`requested output '${r.name}' is not an output of model '${o.model}' (outputs: ${outputNames.join(', ')})`);
    outputNames = req.outputs.map((r) => r.name);
  }
  return { feeds, raw, batch, outputNames };
}

function fromRaw(name: string, dt: OipDatatype, shape: number[], buf: Buffer, deferCopy: boolean): Feed {
  const n = product(shape);
  if (dt === 'BYTES') {
    const strings: string[] = [];
    let off = 0;
    while (off < buf.length) {
      if (off + 4 > buf.length) throw invalid(`input '${name}': raw BYTES content is truncated at byte ${off} (each element needs a 4-byte length prefix)`);
      const len = buf.readUInt32LE(off);
      off += 4;
      if (off + len > buf.length) throw invalid(`input '${name}': raw BYTES element ${strings.length} claims ${len} bytes but only ${buf.length - off} remain`);
      strings.push(buf.toString('utf8', off, off + len));
      off += len;
    }
    if (strings.length !== n) throw invalid(`input '${name}': raw BYTES content has ${strings.length} elements, expected ${n} for shape ${fmtShape(shape)}`);
    return makeTensor('string', strings, shape);
  }
  const expected = n * ELEMENT_SIZE[dt];
  if (buf.length !== expected) throw invalid(`input '${name}': raw content has ${buf.length} bytes, expected ${expected} for shape ${fmtShape(shape)} ${dt}`);
  if (dt !== 'BOOL') {
    const input = new RawInput(OIP_TO_ORT[dt], dt, shape, buf);
    return deferCopy ? input : input.toTensor();
  }
  // BOOL is normalized (any non-zero byte -> 1) in its copy, so it is never deferred.
  const arr = ownCopy(dt, buf) as Uint8Array;
  for (let i = 0; i < n; i++) if (arr[i]! > 1) arr[i] = 1;
  return makeTensor('bool', arr, shape);
}

function fromTyped(name: string, dt: OipDatatype, shape: number[], contents: InferTensorContents | null | undefined): ort.Tensor {
  const n = product(shape);
  const field = CONTENTS_FIELD[dt];
  if (!field) throw invalid(`input '${name}': ${dt} has no typed contents field, send it in raw_input_contents`);
  const values = ((contents?.[field] as unknown[] | undefined) ?? []);
  if (values.length !== n) {
    const other = CONTENT_FIELDS.filter((f) => f !== field && ((contents?.[f] as unknown[] | undefined)?.length ?? 0) > 0);
    throw invalid(`input '${name}': ${field} has ${values.length} values, expected ${n} for shape ${fmtShape(shape)} ${dt}${other.length ? ` (data found in ${other.join(', ')} instead)` : ''}`);
  }
  switch (dt) {
    case 'BYTES':
      return makeTensor('string', (values as (Buffer | Uint8Array | string)[]).map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString('utf8'))), shape);
    case 'BOOL':
      return makeTensor('bool', Uint8Array.from(values as boolean[], (v) => (v ? 1 : 0)), shape);
    case 'INT64':
    case 'UINT64': {
      const Ctor = dt === 'INT64' ? BigInt64Array : BigUint64Array;
      const arr = new Ctor(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        try {
          const b = BigInt(typeof v === 'object' && v !== null ? String(v) : (v as number | string));
          if (dt === 'UINT64' && b < 0n) throw new Error('negative');
          arr[i] = b;
        } catch {
          throw invalid(`input '${name}': element ${i} (${String(v)}) is not a valid ${dt}`);
        }
      }
      return makeTensor(OIP_TO_ORT[dt], arr, shape);
    }
    default: {
      const range = INT_RANGE[dt];
      if (range) {
        for (let i = 0; i < n; i++) {
          const v = values[i] as number;
          if (v < range[0] || v > range[1]) throw invalid(`input '${name}': element ${i} (${v}) is out of range for ${dt}`);
        }
      }
      const Ctor = ARRAY_OF[dt as Exclude<OipDatatype, 'BYTES'>] as unknown as { from(v: ArrayLike<number>): ArrayLike<number> };
      return makeTensor(OIP_TO_ORT[dt], Ctor.from(values as number[]), shape);
    }
  }
}

export interface EncodedOutputs {
  outputs: { name: string; datatype: string; shape: number[]; contents?: InferTensorContents }[];
  raw_output_contents: Buffer[];
}

/** Tensor bytes (raw form). */
export function tensorBytes(t: ort.Tensor): Buffer {
  if (t.type === 'string') {
    const parts: Buffer[] = [];
    for (const s of t.data as string[]) {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32LE(b.length);
      parts.push(len, b);
    }
    return Buffer.concat(parts);
  }
  const d = t.data as unknown as { buffer: ArrayBufferLike; byteOffset: number; byteLength: number };
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

const to64 = (v: bigint) => (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString());

/**
 * Outputs in Open Inference Protocol form: raw_output_contents when `raw` (or when any output is
 * FP16, which has no typed field), else typed contents.
 */
export function encodeOutputs(results: Record<string, ort.Tensor>, names: string[], raw: boolean): EncodedOutputs {
  const tensors = names.map((n) => {
    const t = results[n];
    if (!t) throw new Error(`session returned no output '${n}'`);
    const dt = ORT_TO_OIP[t.type];
    if (!dt) throw new Error(`output '${n}' has unsupported type ${t.type}`);
    return { name: n, t, dt };
  });
  const useRaw = raw || tensors.some((x) => x.dt === 'FP16');
  if (useRaw) {
    return {
      outputs: tensors.map(({ name, t, dt }) => ({ name, datatype: dt, shape: [...t.dims] })),
      raw_output_contents: tensors.map(({ t }) => tensorBytes(t)),
    };
  }
  return {
    outputs: tensors.map(({ name, t, dt }) => {
      const field = CONTENTS_FIELD[dt]!;
      let values: unknown[];
      const data = t.data as ArrayLike<number | bigint | string>;
      if (dt === 'BYTES') values = (data as string[]).map((s) => Buffer.from(s, 'utf8'));
      else if (dt === 'BOOL') values = Array.from(data as Uint8Array, (v) => v !== 0);
      else if (dt === 'INT64' || dt === 'UINT64') values = Array.from(data as BigInt64Array, to64);
      else values = Array.from(data as ArrayLike<number>);
      return { name, datatype: dt, shape: [...t.dims], contents: { [field]: values } as InferTensorContents };
    }),
    raw_output_contents: [],
  };
}

// ---------------------------------------------------------------- batching helpers

/**
 * Concatenate feeds of the same type and trailing shape along dimension 0, into a new buffer of
 * exactly the batch's bytes (each part copied once; RawInput parts straight from the request bytes).
 */
export function concatRows(parts: Feed[]): ort.Tensor {
  const first = parts[0]!;
  if (parts.length === 1) return toTensor(first);
  const rows = parts.reduce((a, p) => a + p.dims[0]!, 0);
  const dims = [rows, ...first.dims.slice(1)];
  if (first.type === 'string') return makeTensor('string', parts.flatMap((p) => (p as ort.Tensor).data as string[]), dims);
  const oip = ORT_TO_OIP[first.type] as Exclude<OipDatatype, 'BYTES'>;
  const size = ELEMENT_SIZE[oip];
  const out = Buffer.allocUnsafeSlow(product(dims) * size);
  let off = 0;
  for (const p of parts) {
    const bytes = p instanceof RawInput ? p.bytes : viewBytes(p.data as unknown as ArrayBufferView);
    out.set(bytes, off);
    off += bytes.byteLength;
  }
  if (off !== out.byteLength) throw new Error(`concatRows: parts hold ${off} bytes, the batch needs ${out.byteLength}`);
  return makeTensor(first.type, new ARRAY_OF[oip](out.buffer, 0, out.byteLength / size), dims);
}

const viewBytes = (d: ArrayBufferView): Uint8Array => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** Rows [start, start+count) of a tensor along dimension 0 (a view when possible). */
export function sliceRows(t: ort.Tensor, start: number, count: number): ort.Tensor {
  if (start === 0 && count === t.dims[0]) return t;
  const per = product(t.dims.slice(1));
  const dims = [count, ...t.dims.slice(1)];
  if (t.type === 'string') return makeTensor('string', (t.data as string[]).slice(start * per, (start + count) * per), dims);
  const d = t.data as unknown as { subarray(a: number, b: number): unknown; buffer: ArrayBufferLike; byteOffset: number; length: number };
  const data = t.type === 'float16' ? new Uint16Array(d.buffer, d.byteOffset, d.length).subarray(start * per, (start + count) * per) : d.subarray(start * per, (start + count) * per);
  return makeTensor(t.type, data, dims);
}

/** Zeros (or empty strings) of a shape, for warm-up. */
export function zeros(dt: OipDatatype, shape: number[]): ort.Tensor {
  const n = product(shape);
  if (dt === 'BYTES') return makeTensor('string', Array.from({ length: n }, () => ''), shape);
  return makeTensor(OIP_TO_ORT[dt], new ARRAY_OF[dt](new ArrayBuffer(n * ELEMENT_SIZE[dt]), 0, n), shape);
}

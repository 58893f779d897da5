// Small ONNX models built in code (no files downloaded): an MLP (fp32 and int8), and identity /
// add models over every tensor type, used to test the executor's data path end to end.
import onnxPkg from 'onnx-proto';

const { onnx } = onnxPkg;
type ITensorProto = onnxPkg.onnx.ITensorProto;
type INodeProto = onnxPkg.onnx.INodeProto;
type IValueInfoProto = onnxPkg.onnx.IValueInfoProto;

const DT = onnx.TensorProto.DataType;

/** Tensor element types these builders know, named as in ONNX. */
export const ONNX_TYPES = [
  'FLOAT', 'DOUBLE', 'FLOAT16', 'INT8', 'INT16', 'INT32', 'INT64',
  'UINT8', 'UINT16', 'UINT32', 'UINT64', 'BOOL', 'STRING',
] as const;
export type OnnxType = (typeof ONNX_TYPES)[number];

const TYPE_CODE: Record<OnnxType, number> = {
  FLOAT: DT.FLOAT, DOUBLE: DT.DOUBLE, FLOAT16: DT.FLOAT16, INT8: DT.INT8, INT16: DT.INT16,
  INT32: DT.INT32, INT64: DT.INT64, UINT8: DT.UINT8, UINT16: DT.UINT16, UINT32: DT.UINT32,
  UINT64: DT.UINT64, BOOL: DT.BOOL, STRING: DT.STRING,
};

/** A dimension: a fixed size, or a symbolic name (dynamic). */
export type Dim = number | string;

const OPSET = 14;
const IR_VERSION = 7;

function valueInfo(name: string, type: OnnxType, shape: Dim[]): IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: TYPE_CODE[type],
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function floatTensor(name: string, dims: number[], values: Float32Array): ITensorProto {
  return { name, dims, dataType: DT.FLOAT, rawData: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) };
}
function int8Tensor(name: string, dims: number[], values: Int8Array): ITensorProto {
  return { name, dims, dataType: DT.INT8, rawData: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) };
}

function node(opType: string, inputs: string[], outputs: string[], attrs: onnxPkg.onnx.IAttributeProto[] = []): INodeProto {
  return { opType, input: inputs, output: outputs, name: `${opType}_${outputs[0]}`, attribute: attrs };
}

function model(graph: onnxPkg.onnx.IGraphProto, producer = 'switchyard-onnx-builder'): Uint8Array {
  const m = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: producer,
    producerVersion: '1',
    opsetImport: [{ domain: '', version: OPSET }],
    graph,
  });
  return onnx.ModelProto.encode(m).finish();
}

// ---------------------------------------------------------------- deterministic weights

/** mulberry32: a small seeded PRNG, returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface MlpOptions {
  inputDim: number;
  hidden: number;
  outputDim: number;
  seed: number;
  /** Build the int8 variant (DynamicQuantizeLinear + MatMulInteger per layer). */
  int8?: boolean;
}

export interface MlpWeights {
  w1: Float32Array; // [inputDim, hidden]
  b1: Float32Array; // [hidden]
  w2: Float32Array; // [hidden, outputDim]
  b2: Float32Array; // [outputDim]
}

/** The MLP's weights for a seed (the same ones buildMlp bakes into the model). */
export function mlpWeights(o: MlpOptions): MlpWeights {
  const r = seededRandom(o.seed);
  const fill = (n: number, scale: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
  const w1 = fill(o.inputDim * o.hidden, 1 / Math.sqrt(o.inputDim));
  const b1 = fill(o.hidden, 0.1);
  const w2 = fill(o.hidden * o.outputDim, 1 / Math.sqrt(o.hidden));
  const b2 = fill(o.outputDim, 0.1);
  return { w1, b1, w2, b2 };
}

/** Reference forward pass in JS (float64 accumulation): x is [batch, inputDim] row-major. */
export function mlpReference(o: MlpOptions, x: ArrayLike<number>, batch: number): Float64Array {
  const { w1, b1, w2, b2 } = mlpWeights(o);
  const out = new Float64Array(batch * o.outputDim);
  const h = new Float64Array(o.hidden);
  for (let n = 0; n < batch; n++) {
    for (let j = 0; j < o.hidden; j++) {
      let s = b1[j]!;
      for (let i = 0; i < o.inputDim; i++) s += x[n * o.inputDim + i]! * w1[i * o.hidden + j]!;
      h[j] = Math.max(0, s);
    }
    for (let k = 0; k < o.outputDim; k++) {
      let s = b2[k]!;
      for (let j = 0; j < o.hidden; j++) s += h[j]! * w2[j * o.outputDim + k]!;
      out[n * o.outputDim + k] = s;
    }
  }
  return out;
}

/**
 * An MLP: output = (relu(input·W1 + b1))·W2 + b2. Input 'input' FLOAT [batch, inputDim],
 * output 'output' FLOAT [batch, outputDim]; the batch dimension is dynamic ('batch').
 */
export function buildMlp(o: MlpOptions): Uint8Array {
  const w = mlpWeights(o);
  const inits: ITensorProto[] = [
    floatTensor('b1', [o.hidden], w.b1),
    floatTensor('b2', [o.outputDim], w.b2),
  ];
  const nodes: INodeProto[] = [];
  if (!o.int8) {
    inits.push(floatTensor('W1', [o.inputDim, o.hidden], w.w1), floatTensor('W2', [o.hidden, o.outputDim], w.w2));
    nodes.push(
      node('MatMul', ['input', 'W1'], ['mm1']),
      node('Add', ['mm1', 'b1'], ['h1']),
      node('Relu', ['h1'], ['r1']),
      node('MatMul', ['r1', 'W2'], ['mm2']),
      node('Add', ['mm2', 'b2'], ['output']),
    );
  } else {
    // Dynamic quantization: activations quantized per call (uint8), weights per tensor (int8, symmetric).
    const layer = (p: string, x: string, wName: string, wv: Float32Array, dims: number[], b: string, out: string) => {
      let maxAbs = 0;
      for (const v of wv) maxAbs = Math.max(maxAbs, Math.abs(v));
      const scale = maxAbs / 127 || 1;
      const q = Int8Array.from(wv, (v) => Math.max(-127, Math.min(127, Math.round(v / scale))));
      inits.push(
        int8Tensor(wName, dims, q),
        floatTensor(`${p}_wscale`, [], Float32Array.of(scale)),
        int8Tensor(`${p}_wzp`, [], Int8Array.of(0)),
      );
      nodes.push(
        node('DynamicQuantizeLinear', [x], [`${p}_xq`, `${p}_xscale`, `${p}_xzp`]),
        node('MatMulInteger', [`${p}_xq`, wName, `${p}_xzp`, `${p}_wzp`], [`${p}_acc`]),
        node('Cast', [`${p}_acc`], [`${p}_accf`], [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: DT.FLOAT }]),
        node('Mul', [`${p}_xscale`, `${p}_wscale`], [`${p}_scale`]),
        node('Mul', [`${p}_accf`, `${p}_scale`], [`${p}_deq`]),
        node('Add', [`${p}_deq`, b], [out]),
      );
    };
    layer('l1', 'input', 'W1q', w.w1, [o.inputDim, o.hidden], 'b1', 'h1');
    nodes.push(node('Relu', ['h1'], ['r1']));
    layer('l2', 'r1', 'W2q', w.w2, [o.hidden, o.outputDim], 'b2', 'output');
  }
  return model({
    name: o.int8 ? 'mlp_int8' : 'mlp',
    node: nodes,
    initializer: inits,
    input: [valueInfo('input', 'FLOAT', ['batch', o.inputDim])],
    output: [valueInfo('output', 'FLOAT', ['batch', o.outputDim])],
  });
}

/** output = Identity(input) for one tensor type; shape defaults to ['batch', 'n']. */
export function buildIdentity(datatype: OnnxType, shape: Dim[] = ['batch', 'n']): Uint8Array {
  return model({
    name: `identity_${datatype.toLowerCase()}`,
    node: [node('Identity', ['input'], ['output'])],
    input: [valueInfo('input', datatype, shape)],
    output: [valueInfo('output', datatype, shape)],
  });
}

/** sum = a + b (and a copy of a as 'a_out'): two inputs, two outputs, for output selection tests. */
export function buildAdd(datatype: OnnxType, shape: Dim[] = ['batch', 'n']): Uint8Array {
  return model({
    name: `add_${datatype.toLowerCase()}`,
    node: [node('Add', ['a', 'b'], ['sum']), node('Identity', ['a'], ['a_out'])],
    input: [valueInfo('a', datatype, shape), valueInfo('b', datatype, shape)],
    output: [valueInfo('sum', datatype, shape), valueInfo('a_out', datatype, shape)],
  });
}

/**
 * A deliberately slow model (for queueing tests): `repeat` chained MatMuls of a [batch, dim]
 * input with a fixed [dim, dim] matrix (scaled to stay finite). Output 'output' FLOAT [batch, dim].
 */
export function buildHeavy(o: { dim: number; repeat: number; seed?: number }): Uint8Array {
  const r = seededRandom(o.seed ?? 7);
  const m = Float32Array.from({ length: o.dim * o.dim }, () => (r() * 2 - 1) / o.dim);
  const nodes: INodeProto[] = [];
  let cur = 'input';
  for (let i = 0; i < o.repeat; i++) {
    const next = i === o.repeat - 1 ? 'output' : `t${i}`;
    nodes.push(node('MatMul', [cur, 'M'], [next]));
    cur = next;
  }
  return model({
    name: 'heavy',
    node: nodes,
    initializer: [floatTensor('M', [o.dim, o.dim], m)],
    input: [valueInfo('input', 'FLOAT', ['batch', o.dim])],
    output: [valueInfo('output', 'FLOAT', ['batch', o.dim])],
  });
}

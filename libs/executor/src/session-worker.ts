// A worker thread that owns onnxruntime sessions. onnxruntime-node's run() blocks the thread it
// runs on, so sessions live here and the main thread stays free for gRPC, timers (queue deadlines)
// and heartbeats. Protocol: see session-pool.ts; first of all the worker posts its thread's nice
// value ({ op: 'nice' }), after lowering it to workerData.nice when that is above 0 (a background
// worker: its sessions' onnxruntime threads, created later by this thread, inherit the value).
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { spansWholeBuffer } from './transfer.ts';

export interface WireTensor {
  type: ort.Tensor.Type;
  dims: number[];
  data: ArrayBufferView | string[];
}

export type WorkerRequest =
  | { op: 'load'; id: number; key: string; file: string; options: ort.InferenceSession.SessionOptions }
  | { op: 'run'; id: number; key: string; feeds: Record<string, WireTensor> }
  | { op: 'release'; id: number; key: string };

export type WorkerReply =
  | { id: number; ok: true; inputs?: ort.InferenceSession.ValueMetadata[]; outputs?: ort.InferenceSession.ValueMetadata[]; results?: Record<string, WireTensor> }
  | { id: number; ok: false; error: string };

const sessions = new Map<string, ort.InferenceSession>();

function toTensor(w: WireTensor): ort.Tensor {
  const t = new ort.Tensor(w.type, w.data as ort.Tensor.DataType, w.dims);
  // The native binding cannot read Float16Array: keep float16 data as Uint16Array.
  if (w.type === 'float16') (t as unknown as { cpuData: unknown }).cpuData = w.data;
  return t;
}

/** A run's output as sent back; its buffer is transferred when the view spans all of it (onnxruntime
 *  hands each output its own buffer, made for this run and not used here again). */
function toWire(t: ort.Tensor): { wire: WireTensor; transfer?: ArrayBuffer } {
  if (t.type === 'string') return { wire: { type: 'string', dims: [...t.dims], data: t.data as string[] } };
  const d = t.data as unknown as { buffer: ArrayBuffer; byteOffset: number; length: number; byteLength: number };
  const data = t.type === 'float16' ? new Uint16Array(d.buffer, d.byteOffset, d.length) : (t.data as unknown as ArrayBufferView);
  return { wire: { type: t.type, dims: [...t.dims], data }, ...(spansWholeBuffer(d) ? { transfer: d.buffer } : {}) };
}

async function handle(m: WorkerRequest): Promise<{ reply: WorkerReply; transfer: ArrayBuffer[] }> {
  switch (m.op) {
    case 'load': {
      const s = await ort.InferenceSession.create(m.file, m.options);
      sessions.set(m.key, s);
      return { reply: { id: m.id, ok: true, inputs: [...s.inputMetadata], outputs: [...s.outputMetadata] }, transfer: [] };
    }
    case 'run': {
      const s = sessions.get(m.key);
      if (!s) throw new Error(`session ${m.key} is not loaded in this worker`);
      const feeds: Record<string, ort.Tensor> = {};
      for (const [k, v] of Object.entries(m.feeds)) feeds[k] = toTensor(v);
      const out = await s.run(feeds);
      const results: Record<string, WireTensor> = {};
      const transfer: ArrayBuffer[] = [];
      for (const [k, v] of Object.entries(out)) {
        const w = toWire(v);
        results[k] = w.wire;
        if (w.transfer && !transfer.includes(w.transfer)) transfer.push(w.transfer);
      }
      return { reply: { id: m.id, ok: true, results }, transfer };
    }
    case 'release': {
      const s = sessions.get(m.key);
      sessions.delete(m.key);
      await s?.release();
      return { reply: { id: m.id, ok: true }, transfer: [] };
    }
  }
}

{
  const want = Number((workerData as { nice?: number } | undefined)?.nice ?? 0);
  let error: string | undefined;
  // pid 0: this thread only (Linux keeps a nice value per thread). A process started at a lower
  // priority than asked for already is where it should be.
  if (want > 0 && want > os.getPriority(0)) {
    try {
      os.setPriority(0, want);
    } catch (e) {
      error = (e as Error).message;
    }
  }
  let nice = 0;
  try {
    nice = os.getPriority(0);
  } catch {
    // unknown: report 0
  }
  parentPort!.postMessage({ op: 'nice', nice, ...(error ? { error } : {}) });
}

parentPort!.on('message', (m: WorkerRequest) => {
  handle(m).then(
    ({ reply, transfer }) => {
      try {
        parentPort!.postMessage(reply, transfer);
      } catch {
        // A buffer that cannot be transferred (e.g. one a future onnxruntime keeps external): clone.
        parentPort!.postMessage(reply);
      }
    },
    (e: unknown) => parentPort!.postMessage({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies WorkerReply),
  );
});

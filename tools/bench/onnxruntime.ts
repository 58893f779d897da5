// onnxruntime suite: what a bare InferenceSession.run loop does with a bundled model on this
// machine, by batch size and intra-op thread count, with the executor's session options (spinning
// off, libs/executor sessionOptionsFor). It is the reference the executor suite is read against:
// how much batching can gain in onnxruntime itself, before gRPC, TLS and the session-worker hop.
// Sequential runs on this process's main thread; CPU per item from process.cpuUsage (all threads).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { prepareBundledRepository, sessionOptionsFor } from '@switchyard/executor';

export interface OrtBenchOptions {
  models: string[];
  /** Intra-op thread counts; 0 = onnxruntime's default. */
  threads: number[];
  batches: number[];
  /** Measuring time per point. */
  seconds: number;
  progress: (line: string) => void;
}

export interface OrtRow {
  model: string;
  intra_op_threads: number;
  batch: number;
  items_per_s: number;
  cpu_us_per_item: number;
  /** Mean wall time of one run. */
  run_ms: number;
}

/** The input shape with every dynamic dimension set: the batch first, then 1, or the model's
 *  bench warm-up shape (ocr_cls: [N, 3, 48, 192]). */
function shapeFor(model: string, meta: ort.InferenceSession.ValueMetadata, batch: number): number[] {
  if (model === 'ocr_cls') return [batch, 3, 48, 192];
  if (!meta.isTensor) throw new Error(`${model}: input ${meta.name} is not a tensor`);
  return meta.shape.map((d, i) => (i === 0 ? batch : typeof d === 'number' && d > 0 ? d : 1));
}

export async function runOrtBench(o: OrtBenchOptions): Promise<OrtRow[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-bench-ort-'));
  const rows: OrtRow[] = [];
  try {
    prepareBundledRepository(tmp);
    for (const model of o.models) {
      const file = path.join(tmp, model, '1', 'model.onnx');
      if (!fs.existsSync(file)) throw new Error(`no bundled model ${model}`);
      for (const threads of o.threads) {
        const session = await ort.InferenceSession.create(file, sessionOptionsFor(threads > 0 ? { intraOpThreads: threads } : {}, ['cpu']));
        try {
          const meta = session.inputMetadata[0]!;
          if (meta.isTensor && meta.type !== 'float32') throw new Error(`${model}: only float32 inputs are supported here, got ${meta.type}`);
          for (const batch of o.batches) {
            const shape = shapeFor(model, meta, batch);
            const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
            for (let i = 0; i < data.length; i++) data[i] = Math.sin(i);
            const feeds = { [meta.name]: new ort.Tensor('float32', data, shape) };
            for (let i = 0; i < 3; i++) await session.run(feeds);
            let runs = 0;
            const u0 = process.cpuUsage();
            const t0 = performance.now();
            while (performance.now() - t0 < o.seconds * 1000 || runs < 3) {
              await session.run(feeds);
              runs++;
            }
            const wall = performance.now() - t0;
            const u = process.cpuUsage(u0);
            const items = runs * batch;
            const row: OrtRow = {
              model, intra_op_threads: threads, batch,
              items_per_s: Math.round((items / wall) * 1000),
              cpu_us_per_item: Math.round((u.user + u.system) / items),
              run_ms: Math.round((wall / runs) * 100) / 100,
            };
            rows.push(row);
            o.progress(`onnxruntime: ${model} threads=${threads || 'default'} batch=${batch}: ${row.items_per_s} items/s, ${row.cpu_us_per_item} us CPU per item`);
          }
        } finally {
          await session.release();
        }
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return rows;
}

/** Items/s at the largest batch over items/s at batch 1, per model and thread count. */
export function batchGains(rows: OrtRow[]): Array<{ model: string; intra_op_threads: number; batch: number; gain: number }> {
  const out: Array<{ model: string; intra_op_threads: number; batch: number; gain: number }> = [];
  const keys = new Set(rows.map((r) => `${r.model}\u0000${r.intra_op_threads}`));
  for (const k of keys) {
    const [model, t] = k.split('\u0000') as [string, string];
    const mine = rows.filter((r) => r.model === model && r.intra_op_threads === Number(t));
    const one = mine.find((r) => r.batch === 1);
    const top = mine.reduce((a, b) => (b.batch > a.batch ? b : a));
    if (one && top.batch > 1 && one.items_per_s > 0) out.push({ model, intra_op_threads: Number(t), batch: top.batch, gain: Math.round((top.items_per_s / one.items_per_s) * 100) / 100 });
  }
  return out;
}

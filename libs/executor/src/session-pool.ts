// A pool of worker threads holding onnxruntime sessions (see session-worker.ts). Every loaded
// model version has a session in every worker; a run goes to the least busy worker of its lane.
//
// Two lanes: `size` foreground workers at the process's CPU priority, and `background.workers`
// workers that lower their own thread's priority (nice `background.nice`) before loading any
// session, so the onnxruntime threads each of their sessions creates inherit it. A background
// run (a tenant asking for more than its fair share while another is active: the gateway says
// so per request) then yields the CPU to foreground work of this process and of every other
// process on the machine, other executors' included; with nothing else to run it runs at full
// speed. The nice value is per thread on Linux; where the OS refuses it, the lane runs at normal
// priority and says so (priorities()).
import { Worker } from 'node:worker_threads';
import type ort from 'onnxruntime-node';
import type { Logger } from '@switchyard/log';
import type { Lane } from './cpu-priority.ts';
import { makeTensor } from './codec.ts';
import { spansWholeBuffer } from './transfer.ts';
import type { WorkerRequest, WorkerReply, WireTensor } from './session-worker.ts';

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

interface Slot {
  worker: Worker;
  busy: number;
  dead: boolean;
  background: boolean;
  /** The worker thread's nice value as it reported it (undefined until it does). */
  nice?: number;
}

export interface BackgroundLane {
  /** Background workers (0 = no lane: background runs go to the foreground workers). */
  workers: number;
  /** Their nice value, 1-19. */
  nice: number;
}

export type { Lane };

export class SessionPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, { resolve(r: WorkerReply): void; reject(e: Error): void; slot: Slot }>();
  private nextId = 1;
  private readonly log: Logger | undefined;
  private closed = false;
  /** Runs per lane (the lane they ran in, after any fallback). */
  readonly runs: Record<Lane, number> = { foreground: 0, background: 0 };

  constructor(size: number, log?: Logger, background: BackgroundLane = { workers: 0, nice: 10 }) {
    this.log = log;
    for (let i = 0; i < Math.max(1, size); i++) this.slots.push(this.spawn(i, 0));
    const n = Math.max(0, background.workers);
    for (let i = 0; i < n; i++) this.slots.push(this.spawn(this.slots.length, Math.min(19, Math.max(1, background.nice))));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Each worker's lane and reported nice value (after load(), every worker has reported). */
  priorities(): Array<{ lane: Lane; nice: number | undefined }> {
    return this.slots.map((s) => ({ lane: s.background ? 'background' : 'foreground', nice: s.nice }));
  }

  private spawn(i: number, nice: number): Slot {
    const worker = new Worker(new URL('./session-worker.ts', import.meta.url), { workerData: { nice } });
    const slot: Slot = { worker, busy: 0, dead: false, background: nice > 0 };
    worker.on('message', (r: WorkerReply | { op: 'nice'; nice: number; error?: string }) => {
      if ('op' in r) {
        slot.nice = r.nice;
        if (r.error) this.log?.warn({ worker: i, wanted: nice, nice: r.nice, err: r.error }, 'session worker could not lower its CPU priority; its background runs take normal priority');
        return;
      }
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      p.slot.busy--;
      p.resolve(r);
    });
    const fail = (why: string) => {
      slot.dead = true;
      for (const [id, p] of this.pending) {
        if (p.slot !== slot) continue;
        this.pending.delete(id);
        p.reject(new Error(`session worker ${i} ${why}`));
      }
      if (!this.closed) this.log?.error({ worker: i, why }, 'session worker lost');
    };
    worker.on('error', (e) => fail(`crashed: ${e.message}`));
    worker.on('exit', (code) => fail(`exited with code ${code}`));
    return slot;
  }

  private send(slot: Slot, msg: DistributiveOmit<WorkerRequest, 'id'>, transfer: ArrayBuffer[] = []): Promise<WorkerReply & { ok: true }> {
    if (slot.dead) return Promise.reject(new Error('session worker is gone'));
    const id = this.nextId++;
    slot.busy++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (r) => (r.ok ? resolve(r) : reject(new Error(r.error))),
        reject,
        slot,
      });
      slot.worker.postMessage({ ...msg, id } as WorkerRequest, transfer);
    });
  }

  /** Create the session in every worker; returns its input/output metadata. */
  async load(key: string, file: string, options: ort.InferenceSession.SessionOptions): Promise<{ inputs: ort.InferenceSession.ValueMetadata[]; outputs: ort.InferenceSession.ValueMetadata[] }> {
    const replies = await Promise.allSettled(this.slots.map((s) => this.send(s, { op: 'load', key, file, options })));
    const bad = replies.find((r) => r.status === 'rejected');
    if (bad) {
      await this.release(key);
      throw (bad as PromiseRejectedResult).reason;
    }
    const first = (replies[0] as PromiseFulfilledResult<WorkerReply & { ok: true }>).value;
    return { inputs: first.inputs!, outputs: first.outputs! };
  }

  /**
   * Run on the least busy worker. The input data goes to the worker without a structured-clone
   * copy: buffers the caller owns (`ownedInputs`: true, or true for that buffer; made for this
   * run, e.g. a batch's concatenated rows, and never read again) are transferred as they are; any
   * other input is copied once, to exactly its bytes, and that copy is transferred (cloning a view
   * would clone its whole backing buffer: a request's message or an 8 KiB pool slab).
   */
  /** The lane a run asked for `lane` runs in: that one, or the other when it has no live worker. */
  laneFor(lane: Lane): Lane {
    const want = lane === 'background';
    if (this.slots.some((s) => !s.dead && s.background === want)) return lane;
    return this.slots.some((s) => !s.dead) ? (want ? 'foreground' : 'background') : lane;
  }

  async run(key: string, feeds: Record<string, ort.Tensor>, ownedInputs: boolean | ((buffer: ArrayBufferLike) => boolean) = false, lane: Lane = 'foreground'): Promise<Record<string, ort.Tensor>> {
    const live = this.slots.filter((s) => !s.dead);
    if (!live.length) throw new Error('no session worker is alive');
    // The lane's workers; a lane with none alive (or none configured) runs in the other.
    const want = this.laneFor(lane) === 'background';
    const slot = live.filter((s) => s.background === want).reduce((a, b) => (b.busy < a.busy ? b : a));
    this.runs[slot.background ? 'background' : 'foreground']++;
    const transfer: ArrayBuffer[] = [];
    const r = await this.send(slot, { op: 'run', key, feeds: toWireFeeds(feeds, { owned: ownedInputs, transfer }) }, transfer);
    const out: Record<string, ort.Tensor> = {};
    for (const [k, w] of Object.entries(r.results!)) out[k] = makeTensor(w.type, w.data, w.dims);
    return out;
  }

  /** Run on every worker (warm-up of each session). */
  async runAll(key: string, feeds: Record<string, ort.Tensor>): Promise<void> {
    const wire = toWireFeeds(feeds);
    // Every worker's run settles before this does: on a failed warm-up the caller may close the
    // pool next, and terminating a worker while onnxruntime is still throwing in it aborts the
    // process ("terminate called after throwing an instance of 'Napi::Error'", seen 1 run in 6).
    const runs = await Promise.allSettled(this.slots.filter((s) => !s.dead).map((s) => this.send(s, { op: 'run', key, feeds: wire })));
    const failed = runs.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async release(key: string): Promise<void> {
    await Promise.allSettled(this.slots.filter((s) => !s.dead).map((s) => this.send(s, { op: 'release', key })));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

type View = ArrayBufferView & { slice(): View; buffer: ArrayBuffer };

/** Wire form of the feeds; with `move`, numeric data is prepared for transfer (see run). */
function toWireFeeds(feeds: Record<string, ort.Tensor>, move?: { owned: boolean | ((buffer: ArrayBufferLike) => boolean); transfer: ArrayBuffer[] }): Record<string, WireTensor> {
  const out: Record<string, WireTensor> = {};
  for (const [k, t] of Object.entries(feeds)) {
    let data: WireTensor['data'];
    if (t.type === 'string') data = t.data as string[];
    else {
      const d = t.data as unknown as { buffer: ArrayBuffer; byteOffset: number; length: number };
      let view = (t.type === 'float16' ? new Uint16Array(d.buffer, d.byteOffset, d.length) : t.data) as unknown as View;
      if (move) {
        const owned = typeof move.owned === 'function' ? move.owned(view.buffer) : move.owned;
        if (!(owned && spansWholeBuffer(view))) view = view.slice();
        if (!move.transfer.includes(view.buffer)) move.transfer.push(view.buffer);
      }
      data = view;
    }
    out[k] = { type: t.type, dims: [...t.dims], data };
  }
  return out;
}

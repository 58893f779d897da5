// One tenant's closed-loop load in a process of its own (as another tenant's clients would be):
// CLIENTS clients, each sending a request, waiting for the answer, pausing THINK_MS. Used by
// e2e/fairness.test.ts and the fairness benchmark (tools/bench/fairness.ts) as the heavy tenant,
// and by the benchmark as the quiet one too (its latencies then exclude the benchmark process's
// own work and garbage collection), through tools/bench/tenant-process.ts (the parent's side of
// the protocol below).
//
// Protocol (lines): prints `ready` after its first answer, then runs (or waits, with
// SY_START_PAUSED=1). On stdin:
//   pause   each client finishes its request in flight and waits; then one JSON line
//           { lat: ms[], errors } for the period since it last ran
//   resume  the clients start again (prints `resumed`)
//   run N [ID]  from paused: the clients send N requests in all, then wait; one JSON line as for
//           pause (the fairness benchmark's quiet tenant: a fixed number of requests per phase);
//           with ID, the requests carry ids ID-0 ... ID-(N-1) in the order sent (e2e/fairness.test.ts
//           looks their placements up by id)
//   stop    as pause, then exits
//   env: SY_ENDPOINTS (endpoints.json), SY_TOKEN, SY_MODEL, SY_CLIENTS (10), SY_THINK_MS (10)
import { createInterface } from 'node:readline';
import { readEndpoints } from '@switchyard/launcher';
import type { ModelMetadataResponse__Output } from '@switchyard/proto';
import { connectGateway, makeRequest } from '../cli/client.ts';

const ep = readEndpoints(process.env.SY_ENDPOINTS!);
const token = process.env.SY_TOKEN!;
const clients = Number(process.env.SY_CLIENTS ?? 10);
const thinkMs = Number(process.env.SY_THINK_MS ?? 10);
const conns = Array.from({ length: clients }, () => connectGateway(ep, token));
const req = makeRequest(await conns[0]!.call<ModelMetadataResponse__Output>('ModelMetadata', { name: process.env.SY_MODEL! }));
await conns[0]!.call('ModelInfer', req);
process.stdout.write('ready\n');

let state: 'run' | 'pause' | 'stop' = process.env.SY_START_PAUSED === '1' ? 'pause' : 'run';
let wakeUp: () => void = () => {};
let woken = new Promise<void>((r) => { wakeUp = r; });
let idle = 0;
let onIdle: (() => void) | undefined;
let lat: number[] = [];
let errors = 0;
/** Requests left to send in a `run N` (undefined: no limit). */
let budget: number | undefined;
/** A `run N ID`'s id prefix, and the next request's number in it. */
let idPrefix: string | undefined;
let sent = 0;
let onSpent: (() => void) | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once every client waits (its request in flight answered), then reports the period. */
async function settle(): Promise<void> {
  if (idle < clients) await new Promise<void>((r) => { onIdle = r; });
  process.stdout.write(`${JSON.stringify({ lat, errors })}\n`);
  lat = [];
  errors = 0;
}

/** Sets the clients running and wakes those that wait. */
function startClients(): void {
  state = 'run';
  const wake = wakeUp;
  woken = new Promise<void>((r) => { wakeUp = r; });
  wake();
}

const commands: string[] = [];
let busy = false;
async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  while (commands.length) {
    const c = commands.shift()!;
    if (c === 'pause' && state === 'run') {
      state = 'pause';
      await settle();
    } else if (c === 'resume' && state === 'pause') {
      startClients();
      process.stdout.write('resumed\n');
    } else if (c.startsWith('run ') && state === 'pause') {
      const [count, prefix] = c.slice(4).trim().split(/\s+/);
      const n = Number(count);
      if (!Number.isInteger(n) || n < 1) { process.stdout.write(`${JSON.stringify({ error: `run needs a positive integer, got ${JSON.stringify(count)}` })}\n`); continue; }
      budget = n;
      idPrefix = prefix;
      sent = 0;
      const spent = new Promise<void>((r) => { onSpent = r; });
      startClients();
      await spent;
      state = 'pause';
      await settle();
      budget = undefined;
      idPrefix = undefined;
    } else if (c === 'stop') {
      const was = state;
      state = 'stop';
      if (was === 'run') await settle();
      else process.stdout.write(`${JSON.stringify({ lat, errors })}\n`);
      for (const cn of conns) cn.close();
      process.exit(0);
    }
  }
  busy = false;
}
// stdin closes when the parent is gone (killed, or crashed without stopping this one): an orphan
// would go on sending, and after the mesh stops, failing as fast as it can.
createInterface({ input: process.stdin }).on('line', (l) => { commands.push(l.trim()); void drain(); }).on('close', () => process.exit(0));

await Promise.all(conns.map(async (c) => {
  for (;;) {
    if (state !== 'run' || budget === 0) {
      idle++;
      if (idle === clients && onIdle) { const f = onIdle; onIdle = undefined; f(); }
      await woken;
      idle--;
      continue;
    }
    if (budget !== undefined && --budget === 0) onSpent?.();
    const body = idPrefix === undefined ? req : { ...req, id: `${idPrefix}-${sent++}` };
    const t0 = performance.now();
    try {
      await c.call('ModelInfer', body);
      lat.push(performance.now() - t0);
    } catch {
      errors++;
    }
    await sleep(thinkMs);
  }
}));

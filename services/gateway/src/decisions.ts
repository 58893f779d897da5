// Decision records: for every request the gateway ran (or refused after reading it), a compact
// record of its placement decision — chosen executor, pool, predicted ms, cost, reason, table
// version and a per-candidate summary — so `switchyard explain <request-id>` recomputes nothing.
//
// Storage: a bounded in-memory ring (this gateway answers at once, even before the write lands
// or while Redis is down) plus Redis, written OFF the hot path: records are queued and flushed
// every `flushMs` or `batch` records as ONE command, HSET sy:v1:decision:<bucket> <request-id>
// <protobuf bytes> ..., into the hash of the current minute (`bucketMs`), which expires `ttlMs`
// after the minute ends (PEXPIREAT). One command per flush instead of one per record: the
// gateway's CPU per request is the mesh's throughput (docs/benchmarks.md). Any gateway replica
// answers ExplainRequest by asking the buckets a record can be in, newest first, in one pipeline.
// Owner: gateway; TTL: 1 h by default (a record lives between ttlMs and ttlMs + bucketMs). A
// failed flush drops that batch (logged; the ring still holds it).
import type { Redis } from 'ioredis';
import type { Logger } from '@switchyard/log';
import { codec, enumNumbers } from '@switchyard/proto';
import type { CandidateSummary__Output, DecisionRecord as DecisionRecordInput, DecisionRecord__Output } from '@switchyard/proto';
import { redisKey } from '@switchyard/store';

/** The generated contract types (switchyard.gateway.v1; keepCase, enums as names, defaults on). */
export type DecisionRecord = DecisionRecord__Output;
export type CandidateSummaryRecord = CandidateSummary__Output;

export const recordCodec = codec<DecisionRecord, DecisionRecord>('switchyard.gateway.v1.DecisionRecord');
const wireCodec = codec<DecisionRecordInput, DecisionRecord>('switchyard.gateway.v1.DecisionRecord');
const POOL = enumNumbers('switchyard.executor.v1.Pool');
type PoolValue = NonNullable<DecisionRecordInput['pool']>;
const poolNumber = (p: DecisionRecordInput['pool']): PoolValue => (typeof p === 'number' ? p : ((POOL[p ?? 'POOL_UNSPECIFIED'] ?? 0) as PoolValue));

/** A record's bytes, encoded without protobufjs's fromObject (its only enums are pools). */
export function encodeRecord(r: DecisionRecord): Uint8Array {
  return wireCodec.encodeWire({ ...r, pool: poolNumber(r.pool), candidates: (r.candidates ?? []).map((c) => ({ ...c, pool: poolNumber(c.pool) })) });
}

/** The hash holding the records flushed during the bucket that starts at `bucketStartMs`. */
export function decisionBucketKey(bucketStartMs: number): string {
  return redisKey('decision', String(bucketStartMs));
}

export interface DecisionStoreOptions {
  redis?: Pick<Redis, 'pipeline'> | undefined;
  log: Logger;
  /** Records kept in memory (oldest evicted first). */
  ringSize?: number;
  ttlMs?: number;
  flushMs?: number;
  batch?: number;
  /** Width of one Redis hash, ms (default 60 s). */
  bucketMs?: number;
  /** Clock, ms (default Date.now). */
  now?: () => number;
}

export class DecisionStore {
  private readonly ring = new Map<string, DecisionRecord>();
  private queue: DecisionRecord[] = [];
  private readonly redis: DecisionStoreOptions['redis'];
  private readonly log: Logger;
  private readonly ringSize: number;
  private readonly ttlMs: number;
  private readonly batch: number;
  private readonly bucketMs: number;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** Records written to Redis / dropped after a failed flush (for status and tests). */
  written = 0;
  dropped = 0;

  constructor(opts: DecisionStoreOptions) {
    this.redis = opts.redis;
    this.log = opts.log;
    this.ringSize = opts.ringSize ?? 10_000;
    this.ttlMs = opts.ttlMs ?? 3_600_000;
    this.batch = opts.batch ?? 256;
    this.bucketMs = opts.bucketMs ?? 60_000;
    this.now = opts.now ?? Date.now;
    if (this.redis) {
      this.timer = setInterval(() => void this.flush(), opts.flushMs ?? 100);
      this.timer.unref();
    }
  }

  /** Synchronous and cheap: ring insert + queue push. */
  record(r: DecisionRecord): void {
    if (!r.request_id) return;
    this.ring.delete(r.request_id);
    this.ring.set(r.request_id, r);
    if (this.ring.size > this.ringSize) {
      const oldest = this.ring.keys().next().value;
      if (oldest !== undefined) this.ring.delete(oldest);
    }
    if (!this.redis) return;
    this.queue.push(r);
    if (this.queue.length >= this.batch) void this.flush();
  }

  /** Writes queued records as one pipeline; concurrent calls are serialised. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (!this.redis || this.queue.length === 0) return;
      const batch = this.queue;
      this.queue = [];
      const bucket = Math.floor(this.now() / this.bucketMs) * this.bucketMs;
      const key = decisionBucketKey(bucket);
      const fields: Array<string | Buffer> = [];
      for (const r of batch) fields.push(r.request_id, Buffer.from(encodeRecord(r)));
      try {
        const res = await this.redis.pipeline().hset(key, ...fields).pexpireat(key, bucket + this.bucketMs + this.ttlMs).exec();
        const err = (res ?? []).find(([e]) => e)?.[0];
        if (err) throw err;
        this.written += batch.length;
      } catch (e) {
        this.dropped += batch.length;
        this.log.warn({ err: (e as Error).message, records: batch.length }, 'decision records not written to Redis');
      }
    });
    return this.flushing;
  }

  /** The ring first, then Redis; undefined when unknown or expired. */
  async get(requestId: string): Promise<DecisionRecord | undefined> {
    const local = this.ring.get(requestId);
    if (local) return local;
    if (!this.redis) return undefined;
    // Every bucket a live record can be in, newest first.
    const newest = Math.floor(this.now() / this.bucketMs) * this.bucketMs;
    const p = this.redis.pipeline();
    for (let b = newest; b >= newest - this.ttlMs - this.bucketMs; b -= this.bucketMs) p.hgetBuffer(decisionBucketKey(b), requestId);
    for (const [err, buf] of (await p.exec()) ?? []) {
      if (err) throw err;
      if (buf) return recordCodec.decode(buf as Buffer);
    }
    return undefined;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}

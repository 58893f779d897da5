// switchyard audit tail [--follow] [--limit N] [--kind deny|admin] [--tenant T] [--json]
// Prints the latest audit records from the JetStream stream SY_AUDIT (every refusal by the
// gateways, every policy change by the policy service); --follow keeps printing new ones until
// interrupted. Connects to NATS at endpoints.json `nats`. Exit codes: 0 ok, 2 usage, 1 else.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { connect, DeliverPolicy, type NatsConnection } from 'nats';
import { readEndpoints, REPO_ROOT } from '@switchyard/launcher';
import { codec } from '@switchyard/proto';
import type { AuditEvent, AuditEvent__Output } from '@switchyard/proto';
import { AUDIT_STREAM } from '@switchyard/policy-engine';
import { processIo, type CliIo } from './series-csv.ts';

export const AUDIT_USAGE = `usage: switchyard audit tail [--follow] [--limit N] [--kind deny|admin] [--tenant T] [--json] [--endpoints FILE]
  prints the last N (default 20) audit records of the SY_AUDIT stream: refusals (deny) and policy changes (admin)
  --follow   keep printing new records until interrupted`;

class UsageError extends Error {}
const auditCodec = codec<AuditEvent, AuditEvent__Output>('switchyard.policy.v1.AuditEvent');

export function formatAudit(e: AuditEvent__Output, json: boolean): string {
  if (json) return JSON.stringify(e);
  const at = new Date(Number(e.at_ms)).toISOString();
  const who = e.kind === 'admin' ? `actor=${e.actor}` : `tenant=${e.tenant || '-'} actor=${e.actor || '-'}`;
  const where = e.model ? ` model=${e.model}` : '';
  const trace = e.trace_id ? ` trace=${e.trace_id}` : '';
  return `${at} ${e.kind.toUpperCase().padEnd(5)} ${e.code.padEnd(18)} ${who} rule=${e.rule}${where}${trace} policy=v${e.policy_version} src=${e.source}: ${e.reason}`;
}

export async function run(argv: string[], io: CliIo = processIo, signal?: AbortSignal): Promise<number> {
  try {
    return await tail(argv, io, signal);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`switchyard audit: ${e.message}\n${AUDIT_USAGE}\n`);
      return 2;
    }
    io.stderr.write(`switchyard audit: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}

async function tail(argv: string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, strict: true, allowPositionals: true, options: {
      follow: { type: 'boolean', short: 'f', default: false }, limit: { type: 'string', default: '20' }, kind: { type: 'string' },
      tenant: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' },
      endpoints: { type: 'string', default: path.join(REPO_ROOT, '.switchyard', 'endpoints.json') },
    } });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) { io.stdout.write(`${AUDIT_USAGE}\n`); return 0; }
  if (positionals.length !== 1 || positionals[0] !== 'tail') throw new UsageError(positionals[0] ? `unknown subcommand '${positionals[0]}'` : "the subcommand 'tail' is required");
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 0 || limit > 100_000) throw new UsageError(`--limit must be a whole number in [0, 100000], got ${values.limit}`);
  if (values.kind !== undefined && values.kind !== 'deny' && values.kind !== 'admin') throw new UsageError(`--kind must be deny or admin`);
  const keep = (e: AuditEvent__Output) => (!values.kind || e.kind === values.kind) && (!values.tenant || e.tenant === values.tenant);

  const ep = readEndpoints(values.endpoints!);
  if (!ep.nats) throw new Error(`${values.endpoints} names no NATS server`);
  const nc: NatsConnection = await connect({ servers: ep.nats.replace(/^nats:\/\//, ''), name: 'switchyard-cli-audit' });
  try {
    const jsm = await nc.jetstreamManager();
    let info;
    try {
      info = await jsm.streams.info(AUDIT_STREAM);
    } catch {
      throw new Error(`no audit stream ${AUDIT_STREAM} yet (nothing has been audited)`);
    }
    const subject = values.kind ? `sy.v1.audit.${values.kind}` : undefined;
    // The last `limit` matching records: walk back from the end of the stream.
    const picked: AuditEvent__Output[] = [];
    for (let seq = info.state.last_seq; seq >= info.state.first_seq && seq > 0 && picked.length < limit; seq--) {
      let m;
      try { m = await jsm.streams.getMessage(AUDIT_STREAM, { seq }); } catch { continue; }
      if (subject && m.subject !== subject) continue;
      const e = auditCodec.decode(m.data);
      if (keep(e)) picked.push(e);
    }
    for (const e of picked.reverse()) io.stdout.write(`${formatAudit(e, values.json!)}\n`);
    if (!values.follow) return 0;

    const consumer = await nc.jetstream().consumers.get(AUDIT_STREAM, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: info.state.last_seq + 1, ...(subject ? { filterSubjects: subject } : {}) });
    const msgs = await consumer.consume();
    const stop = () => msgs.stop();
    signal?.addEventListener('abort', stop, { once: true });
    process.once('SIGINT', stop);
    for await (const m of msgs) {
      const e = auditCodec.decode(m.data);
      if (keep(e)) io.stdout.write(`${formatAudit(e, values.json!)}\n`);
    }
    process.off('SIGINT', stop);
    return 0;
  } finally {
    await nc.close();
  }
}

// switchyard policy apply FILE.yaml [--actor NAME] | switchyard policy get [--json]
// | switchyard policy keys | switchyard policy rotate-keys [--force] [--actor NAME]
// Administers the policy document through the policy service (mTLS as `client`; the address and
// credentials come from endpoints.json). Exit codes: 0 ok, 2 usage or an invalid document, 1 else.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { readEndpoints, REPO_ROOT } from '@switchyard/launcher';
import { createClient, spiffeIdOf, unary } from '@switchyard/mesh';
import { policyV1 } from '@switchyard/proto';
import type { ApplyPolicyResponse__Output, GetPolicyResponse__Output, Jwks__Output, PolicyClient, RotateKeysResponse__Output } from '@switchyard/proto';
import { processIo, type CliIo } from './series-csv.ts';

export const POLICY_USAGE = `usage: switchyard policy apply FILE.yaml [--actor NAME] [--endpoints FILE]
       switchyard policy get [--json] [--endpoints FILE]
       switchyard policy keys [--json] [--endpoints FILE]
       switchyard policy rotate-keys [--force] [--actor NAME] [--json] [--endpoints FILE]
  apply        validate and apply a policy document (YAML or JSON; docs/policy.md); prints the new version
  get          print the current policy document (--json: version, sha256, applied_at_ms, applied_by, document)
  keys         the token signing keys verifiers may trust (the JWKS): kid and algorithm
  rotate-keys  start a signing-key rotation: the new key is published now and signs after the
               publish delay; the old one verifies tokens for their longest lifetime (--force: even
               while an earlier key is still in that overlap, which drops it; for a compromised key)`;

class UsageError extends Error {}

export async function run(argv: string[], io: CliIo = processIo): Promise<number> {
  try {
    return await policy(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`switchyard policy: ${e.message}\n${POLICY_USAGE}\n`);
      return 2;
    }
    const se = e as grpc.ServiceError;
    if (typeof se?.code === 'number') {
      io.stderr.write(`switchyard policy: ${grpc.status[se.code]}: ${se.details}\n`);
      return se.code === grpc.status.INVALID_ARGUMENT ? 2 : 1;
    }
    io.stderr.write(`switchyard policy: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}

async function policy(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, strict: true, allowPositionals: true, options: {
      json: { type: 'boolean', default: false }, actor: { type: 'string' }, help: { type: 'boolean', short: 'h' }, force: { type: 'boolean', default: false },
      endpoints: { type: 'string', default: path.join(REPO_ROOT, '.switchyard', 'endpoints.json') },
    } });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) { io.stdout.write(`${POLICY_USAGE}\n`); return 0; }
  const [sub, file, ...rest] = positionals;
  if (sub !== 'apply' && sub !== 'get' && sub !== 'keys' && sub !== 'rotate-keys') throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'a subcommand is required');
  if (sub === 'apply' && !file) throw new UsageError('apply needs a FILE');
  if ((sub !== 'apply' && file) || rest.length) throw new UsageError('too many arguments');
  if (values.force && sub !== 'rotate-keys') throw new UsageError('--force is for rotate-keys');
  let document = '';
  if (sub === 'apply') {
    try {
      document = await readFile(file!, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const ep = readEndpoints(values.endpoints!);
  const client = createClient<PolicyClient>(policyV1.Policy, ep.policy, { name: 'client', spiffeId: spiffeIdOf('client'), caFile: ep.ca, certFile: ep.clientCert, keyFile: ep.clientKey }, { serverSpiffeId: spiffeIdOf('policy') });
  try {
    if (sub === 'keys') {
      const j = await unary<Jwks__Output>(client, 'GetJwks', {}, { deadlineMs: 10_000 });
      if (values.json) io.stdout.write(`${JSON.stringify(j, null, 2)}\n`);
      else io.stdout.write(`# issuer ${j.issuer}; the first key signs\n${j.keys.map((k) => `${k.kid}  ${k.alg}`).join('\n')}\n`);
      return 0;
    }
    if (sub === 'rotate-keys') {
      const r = await unary<RotateKeysResponse__Output>(client, 'RotateKeys', { force: values.force, actor: values.actor ?? process.env.USER ?? '' }, { deadlineMs: 10_000 });
      if (values.json) io.stdout.write(`${JSON.stringify(r)}\n`);
      else {
        const at = (ms: number | string) => new Date(Number(ms)).toISOString();
        io.stdout.write(`key ${r.next_kid} published; it signs from ${at(r.signs_from_ms)}\nkey ${r.current_kid} signs until then and verifies until ${at(r.previous_until_ms)}\n${r.dropped_kid ? `key ${r.dropped_kid} is dropped when the new key signs (forced)\n` : ''}`);
      }
      return 0;
    }
    if (sub === 'apply') {
      const r = await unary<ApplyPolicyResponse__Output>(client, 'ApplyPolicy', { document, actor: values.actor ?? process.env.USER ?? '' }, { deadlineMs: 10_000 });
      io.stdout.write(values.json ? `${JSON.stringify(r)}\n` : `policy version ${r.version} applied (sha256 ${r.sha256})\n`);
      return 0;
    }
    const g = await unary<GetPolicyResponse__Output>(client, 'GetPolicy', {}, { deadlineMs: 10_000 });
    if (values.json) io.stdout.write(`${JSON.stringify(g, null, 2)}\n`);
    else io.stdout.write(`# version ${g.version}, applied ${new Date(g.applied_at_ms).toISOString()} by ${g.applied_by}, sha256 ${g.sha256}\n${g.document.endsWith('\n') ? g.document : `${g.document}\n`}`);
    return 0;
  } finally {
    client.close();
  }
}

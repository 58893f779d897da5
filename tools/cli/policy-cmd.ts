// switchyard policy apply FILE.yaml [--actor NAME] | switchyard policy get [--json]
// Administers the policy document through the policy service (mTLS as `client`; the address and
// credentials come from endpoints.json). Exit codes: 0 ok, 2 usage or an invalid document, 1 else.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { readEndpoints, REPO_ROOT } from '@switchyard/launcher';
import { createClient, spiffeIdOf, unary } from '@switchyard/mesh';
import { policyV1 } from '@switchyard/proto';
import type { ApplyPolicyResponse__Output, GetPolicyResponse__Output, PolicyClient } from '@switchyard/proto';
import { processIo, type CliIo } from './series-csv.ts';

export const POLICY_USAGE = `usage: switchyard policy apply FILE.yaml [--actor NAME] [--endpoints FILE]
       switchyard policy get [--json] [--endpoints FILE]
  apply   validate and apply a policy document (YAML or JSON; docs/policy.md); prints the new version
  get     print the current policy document (--json: version, sha256, applied_at_ms, applied_by, document)`;

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
      json: { type: 'boolean', default: false }, actor: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      endpoints: { type: 'string', default: path.join(REPO_ROOT, '.switchyard', 'endpoints.json') },
    } });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) { io.stdout.write(`${POLICY_USAGE}\n`); return 0; }
  const [sub, file, ...rest] = positionals;
  if (sub !== 'apply' && sub !== 'get') throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'a subcommand is required');
  if (sub === 'apply' && !file) throw new UsageError('apply needs a FILE');
  if ((sub === 'get' && file) || rest.length) throw new UsageError('too many arguments');
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

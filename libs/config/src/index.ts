// Configuration from environment variables and command-line flags, validated with zod at
// start. A bad setting stops the process with a message that names the setting.
import { parseArgs } from 'node:util';
import { z } from 'zod';

export { z };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Each key of the schema is a setting `fooBar`, read from flag `--foo-bar` or environment
 * variable `SY_FOO_BAR` (flags win). Values arrive as strings: use z.coerce for numbers.
 */
export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  opts: { argv?: string[]; env?: NodeJS.ProcessEnv } = {},
): z.infer<z.ZodObject<S>> {
  const argv = opts.argv ?? process.argv.slice(2);
  const env = opts.env ?? process.env;
  const keys = Object.keys(shape);
  const flagOf = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const envOf = (k: string) => `SY_${k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({
      args: argv,
      options: Object.fromEntries(keys.map((k) => [flagOf(k), { type: 'string' as const }])),
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | undefined>;
  } catch (e) {
    throw new ConfigError(`bad command line: ${(e as Error).message}`);
  }
  const raw: Record<string, unknown> = {};
  for (const k of keys) {
    const v = flags[flagOf(k)] ?? env[envOf(k)];
    if (v !== undefined && v !== '') raw[k] = v;
  }
  const parsed = z.object(shape).safeParse(raw);
  if (!parsed.success) {
    const msgs = parsed.error.issues.map((i) => {
      const k = String(i.path[0] ?? '');
      return `setting ${k} (--${flagOf(k)} or ${envOf(k)}): ${i.message}${raw[k] !== undefined ? ` (got ${JSON.stringify(raw[k])})` : ''}`;
    });
    throw new ConfigError(`invalid configuration: ${msgs.join('; ')}`);
  }
  return parsed.data;
}

/** `host:port` with a port in range. */
export const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port').refine((s) => {
  const p = Number(s.split(':').pop());
  return p > 0 && p < 65536;
}, 'port out of range');

/** A boolean setting given as true/false/1/0. */
export const boolish = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

// switchyard anomaly --input series.csv [--season-length N[,M]] [--output FILE]
// Scores each point of a `timestamp,value` CSV with the AnomalyScorer (@switchyard/anomaly) and
// writes `timestamp,value,anomaly_score` (timestamps as written in the input; score in [0, 1],
// >= 0.5 means some detector is at its alarm threshold). Seasons as in `forecast`: given, or
// daily/weekly detected from the spacing. Exit codes: 0 ok, 2 usage or malformed input, 1 other.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AnomalyScorer } from '@switchyard/anomaly';
import {
  CsvError, UsageError, autoSeasons, medianStep, parseSeasonArg, parseSeriesCsv, processIo, progress,
  type CliIo,
} from './series-csv.ts';

export const ANOMALY_USAGE = `usage: switchyard anomaly --input series.csv [--season-length N[,M]] [--output FILE]
  reads CSV "timestamp,value" (ISO-8601 or epoch s/ms), writes "timestamp,value,anomaly_score"
  --season-length N    season(s) in steps, e.g. 24 or 24,168; 0 = none (default: daily/weekly if the data spans them)
  --output FILE        write there instead of stdout`;

export async function run(argv: string[], io: CliIo = processIo): Promise<number> {
  try {
    return await anomaly(argv, io);
  } catch (e) {
    if (e instanceof CsvError || e instanceof UsageError) {
      io.stderr.write(`switchyard anomaly: ${e.message}\n`);
      if (e instanceof UsageError) io.stderr.write(`${ANOMALY_USAGE}\n`);
      return 2;
    }
    io.stderr.write(`switchyard anomaly: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}

async function anomaly(argv: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: {
      input: { type: 'string' }, 'season-length': { type: 'string' }, output: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    } }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) { io.stdout.write(`${ANOMALY_USAGE}\n`); return 0; }
  if (!values.input) throw new UsageError('--input is required');
  let seasons = parseSeasonArg(values['season-length']);
  let text: string;
  try {
    text = await readFile(values.input, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --input ${values.input}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const { rows } = parseSeriesCsv(text, values.input);
  if (seasons === undefined) seasons = rows.length >= 2 ? autoSeasons(medianStep(rows), rows[rows.length - 1]!.t - rows[0]!.t) : [];
  const scorer = new AnomalyScorer(seasons.length ? { seasonLengths: seasons } : {});
  const tick = progress(io, 'anomaly', rows.length);
  const lines = ['timestamp,value,anomaly_score'];
  let flagged = 0;
  rows.forEach((r, i) => {
    const s = scorer.update(r.value);
    if (s.flag) flagged++;
    const ts = /[",\n]/.test(r.raw) ? `"${r.raw.replace(/"/g, '""')}"` : r.raw;
    lines.push(`${ts},${String(r.value)},${s.score.toFixed(4)}`);
    tick(i + 1);
  });
  const out = `${lines.join('\n')}\n`;
  if (values.output) await writeFile(values.output, out);
  else io.stdout.write(out);
  io.stderr.write(`anomaly: ${rows.length} points, seasons [${seasons.join(', ')}], ${flagged} with score >= ${scorer.threshold}\n`);
  return 0;
}

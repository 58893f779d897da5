// switchyard forecast --input series.csv [--horizon N] [--season-length N[,M]] [--level 0.95] [--output FILE]
// Forecasts the next N steps (step = median spacing of the input) of a `timestamp,value` CSV and
// writes `timestamp,mean,lower,upper`. Model: an Ensemble of Holt and Holt-Winters (weighted by
// recent error) when there is a season — given, or detected: daily/weekly from the spacing when
// the input spans two days/weeks — else Holt alone. Series with no negative values are floored
// at 0 (arrival rates). Exit codes: 0 ok, 2 usage or malformed input, 1 anything else.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Ensemble, Holt, HoltWinters, type Forecaster } from '@switchyard/forecasting';
import {
  CsvError, UsageError, autoSeasons, fmtNum, formatTs, medianStep, parseSeasonArg, parseSeriesCsv, processIo, progress,
  type CliIo,
} from './series-csv.ts';

export const FORECAST_USAGE = `usage: switchyard forecast --input series.csv [--horizon N] [--season-length N[,M]] [--level 0.95] [--output FILE]
  reads CSV "timestamp,value" (ISO-8601 or epoch s/ms), writes "timestamp,mean,lower,upper" for N steps
  --horizon N          steps to forecast (default 24); step = median spacing of the input
  --season-length N    season(s) in steps, e.g. 24 or 24,168; 0 = none (default: daily/weekly if the data spans them)
  --level P            prediction-interval level in (0, 1) (default 0.95)
  --output FILE        write there instead of stdout`;

export async function run(argv: string[], io: CliIo = processIo): Promise<number> {
  try {
    return await forecast(argv, io);
  } catch (e) {
    if (e instanceof CsvError || e instanceof UsageError) {
      io.stderr.write(`switchyard forecast: ${e.message}\n`);
      if (e instanceof UsageError) io.stderr.write(`${FORECAST_USAGE}\n`);
      return 2;
    }
    io.stderr.write(`switchyard forecast: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}

async function forecast(argv: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: {
      input: { type: 'string' }, horizon: { type: 'string', default: '24' }, 'season-length': { type: 'string' },
      level: { type: 'string', default: '0.95' }, output: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    } }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) { io.stdout.write(`${FORECAST_USAGE}\n`); return 0; }
  if (!values.input) throw new UsageError('--input is required');
  const horizon = Number(values.horizon);
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > 1_000_000) throw new UsageError(`--horizon must be a whole number in [1, 1000000], got ${values.horizon}`);
  const level = Number(values.level);
  if (!(level > 0 && level < 1)) throw new UsageError(`--level must be a number in (0, 1), got ${values.level}`);
  let seasons = parseSeasonArg(values['season-length']);

  let text: string;
  try {
    text = await readFile(values.input, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --input ${values.input}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const { rows, format } = parseSeriesCsv(text, values.input);
  if (rows.length < 2) throw new UsageError(`${values.input}: need at least 2 data rows to forecast, got ${rows.length}`);
  const step = medianStep(rows);
  const span = (rows[rows.length - 1]!.t - rows[0]!.t);
  seasons ??= autoSeasons(step, span);
  const floor = rows.every((r) => r.value >= 0) ? 0 : undefined;

  let model: Forecaster;
  let ensemble: Ensemble | undefined;
  if (seasons.length) {
    ensemble = new Ensemble([
      { name: 'holt', forecaster: new Holt({ level }) },
      { name: 'holt-winters', forecaster: new HoltWinters({ seasonLengths: seasons, level }) },
    ], { level, floor });
    model = ensemble;
  } else {
    model = new Holt({ level, floor });
  }
  const tick = progress(io, 'forecast', rows.length);
  rows.forEach((r, i) => { model.update(r.value); tick(i + 1); });

  const last = rows[rows.length - 1]!.t;
  const lines = ['timestamp,mean,lower,upper'];
  model.forecast(horizon).forEach((p, i) => {
    lines.push(`${formatTs(last + (i + 1) * step, format)},${fmtNum(p.mean)},${fmtNum(p.lower)},${fmtNum(p.upper)}`);
  });
  const out = `${lines.join('\n')}\n`;
  if (values.output) await writeFile(values.output, out);
  else io.stdout.write(out);
  io.stderr.write(`forecast: ${rows.length} points, step ${step / 1000}s, seasons [${seasons.join(', ')}]${ensemble ? `, leader ${ensemble.leader}` : ''}, ${horizon} steps at ${level}\n`);
  return 0;
}

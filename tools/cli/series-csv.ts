// Reading and writing `timestamp,value` CSV for the forecast and anomaly commands.
//
// Input: a header naming the columns `timestamp` and `value` (any order, any case, other columns
// ignored), then one row per point. Fields may be quoted RFC 4180-style ("a ""b"""). Blank lines
// are skipped; CRLF and a UTF-8 BOM are fine. Timestamps are ISO-8601 (a date, or date and time;
// no zone means UTC) or epoch numbers — seconds if |n| < 1e11, else milliseconds; the first row
// fixes the format for the file. Timestamps must strictly increase. Any violation is a CsvError
// naming the line and column.
import type { Writable } from 'node:stream';

export type TsFormat = 'iso' | 'epoch-s' | 'epoch-ms';

export interface SeriesRow {
  /** epoch milliseconds */
  t: number;
  value: number;
  /** the timestamp exactly as written in the input */
  raw: string;
  line: number;
}

export interface Series {
  rows: SeriesRow[];
  format: TsFormat;
}

export class CsvError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(file: string, line: number, column: number, msg: string) {
    super(`${file}: line ${line}, column ${column}: ${msg}`);
    this.name = 'CsvError';
    this.line = line;
    this.column = column;
  }
}

/** Usage and input errors: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

function splitFields(text: string, file: string, line: number): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    const col = out.length + 1;
    let field = '';
    // allow spaces before an opening quote
    let k = i;
    while (text[k] === ' ' || text[k] === '\t') k++;
    if (text[k] === '"') {
      i = k + 1;
      for (;;) {
        if (i >= text.length) throw new CsvError(file, line, col, 'unterminated quoted field');
        const ch = text[i] as string;
        if (ch === '"') {
          if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
          i++;
          break;
        }
        field += ch;
        i++;
      }
      while (text[i] === ' ' || text[i] === '\t') i++;
      if (i < text.length && text[i] !== ',') throw new CsvError(file, line, col, `unexpected character ${JSON.stringify(text[i])} after a quoted field`);
    } else {
      const j = text.indexOf(',', i);
      const end = j < 0 ? text.length : j;
      field = text.slice(i, end);
      if (field.includes('"')) throw new CsvError(file, line, col, 'stray quote in an unquoted field');
      i = end;
    }
    out.push(field.trim());
    if (i >= text.length) return out;
    i++; // the comma
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const NUM = /^-?\d+(?:\.\d+)?$/;

function parseTs(s: string): { t: number; format: TsFormat } | string {
  if (NUM.test(s)) {
    const n = Number(s);
    return Math.abs(n) < 1e11 ? { t: n * 1000, format: 'epoch-s' } : { t: n, format: 'epoch-ms' };
  }
  const m = ISO.exec(s);
  if (!m) return `not an ISO-8601 timestamp or epoch number: ${JSON.stringify(s)}`;
  let iso = s.replace(' ', 'T');
  if (iso.length > 10 && !m[1]) iso += 'Z'; // no zone: UTC
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return `invalid date: ${JSON.stringify(s)}`;
  return { t, format: 'iso' };
}

export function parseSeriesCsv(text: string, file = 'input'): Series {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  let header: string[] | undefined;
  let tsCol = -1;
  let valCol = -1;
  let format: TsFormat | undefined;
  let formatLine = 0;
  const rows: SeriesRow[] = [];
  for (let li = 0; li < lines.length; li++) {
    const lineNo = li + 1;
    const text = (lines[li] as string).replace(/\r$/, '');
    if (text.trim() === '') continue;
    const fields = splitFields(text, file, lineNo);
    if (!header) {
      header = fields.map((f) => f.toLowerCase());
      tsCol = header.indexOf('timestamp');
      valCol = header.indexOf('value');
      if (tsCol < 0 || valCol < 0) {
        throw new CsvError(file, lineNo, tsCol < 0 ? 1 : fields.length + 1, `the header must name the columns "timestamp" and "value", got ${JSON.stringify(text)}`);
      }
      continue;
    }
    if (fields.length !== header.length) {
      throw new CsvError(file, lineNo, Math.min(fields.length, header.length) + 1, `expected ${header.length} fields, got ${fields.length}`);
    }
    const tsText = fields[tsCol] as string;
    const ts = parseTs(tsText);
    if (typeof ts === 'string') throw new CsvError(file, lineNo, tsCol + 1, ts);
    if (format === undefined) { format = ts.format; formatLine = lineNo; }
    else if (ts.format !== format) {
      throw new CsvError(file, lineNo, tsCol + 1, `timestamp ${JSON.stringify(tsText)} is ${ts.format}, but line ${formatLine} set the file's format to ${format}`);
    }
    const prev = rows[rows.length - 1];
    if (prev && ts.t <= prev.t) {
      throw new CsvError(file, lineNo, tsCol + 1, `timestamp ${JSON.stringify(tsText)} does not come after line ${prev.line} (${JSON.stringify(prev.raw)}); rows must be in increasing time order`);
    }
    const vText = fields[valCol] as string;
    const v = vText === '' ? NaN : Number(vText);
    if (!Number.isFinite(v)) throw new CsvError(file, lineNo, valCol + 1, `value is not a finite number: ${JSON.stringify(vText)}`);
    rows.push({ t: ts.t, value: v, raw: tsText, line: lineNo });
  }
  if (!header) throw new CsvError(file, 1, 1, 'empty file: expected a header "timestamp,value"');
  return { rows, format: format ?? 'iso' };
}

export function formatTs(ms: number, format: TsFormat): string {
  if (format === 'iso') return new Date(ms).toISOString();
  if (format === 'epoch-ms') return String(Math.round(ms));
  return String(Math.round(ms) / 1000);
}

/** Median spacing of the timestamps, in ms (rows.length >= 2). */
export function medianStep(rows: SeriesRow[]): number {
  const d: number[] = [];
  for (let i = 1; i < rows.length; i++) d.push((rows[i] as SeriesRow).t - (rows[i - 1] as SeriesRow).t);
  d.sort((a, b) => a - b);
  const m = d.length >> 1;
  return d.length % 2 ? (d[m] as number) : ((d[m - 1] as number) + (d[m] as number)) / 2;
}

const DAY = 86_400_000;

/**
 * Season lengths (in steps) when not given: daily if a day is a whole number (>= 2) of steps and
 * the input spans at least two days, plus weekly if it spans at least two weeks.
 */
export function autoSeasons(stepMs: number, spanMs: number): number[] {
  const perDay = DAY / stepMs;
  if (!(Math.abs(perDay - Math.round(perDay)) < 1e-6) || Math.round(perDay) < 2) return [];
  const out: number[] = [];
  if (spanMs >= 2 * DAY) out.push(Math.round(perDay));
  if (spanMs >= 14 * DAY) out.push(Math.round(perDay) * 7);
  return out;
}

export function fmtNum(v: number): string {
  return String(Math.round(v * 1e6) / 1e6);
}

export interface CliIo {
  stdout: Pick<Writable, 'write'>;
  stderr: Pick<Writable, 'write'>;
}

export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr };

/** Report progress every 10 % for inputs longer than `min` rows. */
export function progress(io: CliIo, label: string, total: number, min = 100_000): (done: number) => void {
  if (total < min) return () => {};
  const every = Math.ceil(total / 10);
  return (done) => {
    if (done % every === 0 || done === total) io.stderr.write(`${label}: ${Math.round((100 * done) / total)}% (${done}/${total})\n`);
  };
}

export function parseSeasonArg(v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => s.trim());
  const out = parts.map(Number);
  if (out.length === 1 && out[0] === 0) return [];
  if (!out.every((n) => Number.isInteger(n) && n >= 2)) throw new UsageError(`--season-length must be whole numbers >= 2 (comma-separated), or 0 for none; got ${v}`);
  return out;
}

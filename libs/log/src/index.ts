// Structured JSON logs. Every line carries the service name and, inside a traced context,
// the W3C trace and span ids. Never pass payloads (tensors, tokens) to a logger.
import { pino, type Logger, type DestinationStream } from 'pino';
import { trace } from '@opentelemetry/api';

export type { Logger } from 'pino';

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Extra fields on every line (executor id, pool, region…). */
  base?: Record<string, unknown>;
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level ?? process.env.SY_LOG_LEVEL ?? 'info',
      base: { service: opts.service, pid: process.pid, ...opts.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const ctx = trace.getActiveSpan()?.spanContext();
        return ctx ? { trace_id: ctx.traceId, span_id: ctx.spanId } : {};
      },
      redact: { paths: ['token', 'authorization', '*.authorization', 'raw_input_contents', 'inputs', 'outputs'], censor: '[redacted]' },
    },
    opts.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

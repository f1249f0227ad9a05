import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { GatewayLogger } from '../core/logger.js';
import { metricNamespace, type GatewayMetrics } from '../core/metrics.js';
import { createEmfMetrics } from '../observability/emf-metrics.js';

/** Where the structured lines (JSON logs, EMF metrics) of the local server go. */
export interface LogOutput {
  logger: GatewayLogger;
  /** Undefined when metrics are off. */
  metrics?: GatewayMetrics;
  /** The file they are appended to; undefined when they go to stdout (or nowhere). */
  file?: string;
  close(): Promise<void>;
}

const line = (level: string, message: string, fields?: Record<string, unknown>) => `${JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...fields })}\n`;

/** A JSON-lines logger writing to `write` (the same lines `consoleLogger` prints). */
export const jsonLinesLogger = (write: (text: string) => void): GatewayLogger => ({
  info: (message, fields) => write(line('INFO', message, fields)),
  warn: (message, fields) => write(line('WARN', message, fields)),
  error: (message, fields) => write(line('ERROR', message, fields)),
});

/** Powertools Metrics whose EMF lines go to `write` instead of stdout. */
class WrittenMetrics extends Metrics {
  constructor(private readonly write: (text: string) => void) {
    super({ namespace: metricNamespace, serviceName: 'tollway-local' });
  }

  override publishStoredMetrics(): this {
    try {
      if (this.hasStoredMetrics()) this.write(`${JSON.stringify(this.serializeMetrics())}\n`);
    } finally {
      this.clearMetrics();
      this.clearDimensions();
      this.clearMetadata();
    }
    return this;
  }
}

/**
 * The JSON log lines and EMF metric lines of the local server: appended to
 * `file`, or on stdout (`TOLLWAY_LOG_FORMAT=json`) when no file is given, as
 * the Lambda functions write them (or nowhere, `discard`); `metrics: false`
 * leaves the metrics out.
 */
export const createLogOutput = (options: { file?: string; metrics: boolean; discard?: boolean }): LogOutput => {
  let stream: WriteStream | undefined;
  if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true });
    stream = createWriteStream(options.file, { flags: 'a' });
  }
  const write = stream
    ? (text: string) => void stream.write(text)
    : options.discard
      ? () => undefined
      : (text: string) => void process.stdout.write(text);
  return {
    logger: jsonLinesLogger(write),
    metrics: options.metrics ? createEmfMetrics(new WrittenMetrics(write)) : undefined,
    file: options.file,
    close: () => new Promise<void>((resolve) => (stream ? stream.end(() => resolve()) : resolve())),
  };
};

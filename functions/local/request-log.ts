import type { IncomingHttpHeaders } from 'node:http';
import { hashKey, keyHint, presentedKey } from '../core/auth/key-hash.js';
import type { GatewayLogger } from '../core/logger.js';
import type { ObservedExchange } from './node-host.js';

/** One request as the terminal shows it: what the host saw, and what the gateway logged about its completion. */
export interface RequestSummary {
  time: Date;
  status: number;
  method: string;
  path: string;
  model?: string;
  /** The key's alias, its hint (`sk-...abcd`) or `master`. */
  key?: string;
  costUsd?: number;
  latencyMs: number;
  errorCode?: string;
  /** The client went away before the whole response was written. */
  cutOff: boolean;
}

export interface RequestLogOptions {
  /** Receives one summary per request. */
  write: (summary: RequestSummary) => void;
  /** Where every structured line also goes (the JSON log). */
  logger: GatewayLogger;
  /** The master key (read when the first line is written: the gateway makes it). */
  masterKey: () => string;
  /** The alias of a key by its id, for refusals that have no completion line (403, 429). */
  aliasOf?: (keyId: string) => Promise<string | undefined>;
  now?: () => Date;
}

export interface RequestLog {
  /** The logger to compose the gateway with: forwards every line, and notes the completions. */
  logger: GatewayLogger;
  /** The node host's `observe`. */
  observe: (exchange: ObservedExchange) => void;
  /** Resolves once every summary has been written. */
  flushed(): Promise<void>;
}

interface Completion {
  keyAlias?: string;
  model?: string;
  costUsd?: number;
  errorCode?: string;
}

/**
 * The terminal's request lines, one per request, refusals included: the
 * status, route and latency from the host, the model, key alias and cost from
 * the gateway's own `completion` log line of that request.
 */
export const createRequestLog = (options: RequestLogOptions): RequestLog => {
  const completions = new Map<string, Completion>();
  const now = options.now ?? (() => new Date());

  const note = (message: string, fields: Record<string, unknown> | undefined) => {
    if (message !== 'completion' || typeof fields?.requestId !== 'string') return;
    completions.set(fields.requestId, {
      keyAlias: typeof fields.keyAlias === 'string' ? fields.keyAlias : undefined,
      model: typeof fields.model === 'string' ? fields.model : undefined,
      costUsd: typeof fields.costUsd === 'number' ? fields.costUsd : undefined,
      errorCode: typeof fields.errorCode === 'string' ? fields.errorCode : undefined,
    });
  };
  const logger: GatewayLogger = {
    info: (message, fields) => {
      note(message, fields);
      options.logger.info(message, fields);
    },
    warn: (message, fields) => options.logger.warn(message, fields),
    error: (message, fields) => options.logger.error(message, fields),
  };

  const keyOf = async (headers: IncomingHttpHeaders, completion: Completion | undefined): Promise<string | undefined> => {
    if (completion?.keyAlias) return completion.keyAlias;
    const presented = presentedKey(toHeaders(headers));
    if (!presented) return undefined;
    const keyId = hashKey(presented);
    if (keyId === hashKey(options.masterKey())) return 'master';
    return (await options.aliasOf?.(keyId).catch(() => undefined)) ?? keyHint(presented);
  };

  /** A summary, its key alias looked up; written in arrival order. */
  const summarize = async (exchange: ObservedExchange): Promise<RequestSummary> => {
    // A completion cut off by the client is reported as the stream is cancelled, a moment after the last write.
    await new Promise((resolve) => setImmediate(resolve));
    const completion = completions.get(exchange.requestId);
    completions.delete(exchange.requestId);
    return {
      time: now(),
      status: exchange.status,
      method: exchange.method,
      path: exchange.path,
      model: completion?.model ?? exchange.model,
      key: await keyOf(exchange.headers, completion),
      costUsd: completion?.costUsd,
      latencyMs: exchange.latencyMs,
      errorCode: exchange.errorCode ?? completion?.errorCode,
      cutOff: !exchange.completed,
    };
  };
  let written: Promise<void> = Promise.resolve();

  return {
    logger,
    observe(exchange) {
      const summary = summarize(exchange);
      summary.catch(() => undefined);
      written = written.then(async () => options.write(await summary)).catch(() => undefined);
    },
    flushed: () => written,
  };
};

const toHeaders = (incoming: IncomingHttpHeaders): Headers => {
  const headers = new Headers();
  for (const name of ['authorization', 'x-api-key']) {
    const value = incoming[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  return headers;
};

/** `12:04:31 200 POST /v1/chat/completions model=echo key=ci cost=$0.000042 31ms` (and the error code of a refusal). */
export const formatRequestLine = (summary: RequestSummary): string => {
  const parts = [summary.time.toTimeString().slice(0, 8), String(summary.status), summary.method, summary.path];
  if (summary.model) parts.push(`model=${summary.model}`);
  if (summary.key) parts.push(`key=${summary.key}`);
  if (summary.costUsd !== undefined) parts.push(`cost=$${formatUsd(summary.costUsd)}`);
  parts.push(`${summary.latencyMs}ms`);
  if (summary.errorCode) parts.push(summary.errorCode);
  if (summary.cutOff) parts.push('(client went away)');
  return parts.join(' ');
};

/** Small costs keep their significant digits: 0.000042, 0.0123, 1.50. */
const formatUsd = (usd: number): string => (usd === 0 ? '0' : usd >= 0.01 ? usd.toFixed(4).replace(/0{1,2}$/, '') : usd.toPrecision(2));

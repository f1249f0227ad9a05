import type { GatewayLogger } from '../core/logger.js';

const fieldsText = (fields: Record<string, unknown> | undefined): string =>
  Object.entries(fields ?? {})
    .filter(([name, value]) => name !== 'stack' && value !== undefined)
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');

/** Forwards every line to `logger`, and writes warnings and errors to the terminal as well, one readable line each (no stack). */
export const echoProblems = (logger: GatewayLogger, write: (text: string) => void): GatewayLogger => ({
  info: (message, fields) => logger.info(message, fields),
  warn: (message, fields) => {
    logger.warn(message, fields);
    write(`warning: ${message} ${fieldsText(fields)}`.trimEnd());
  },
  error: (message, fields) => {
    logger.error(message, fields);
    write(`error: ${message} ${fieldsText(fields)}`.trimEnd());
  },
});

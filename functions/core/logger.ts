/** Port: structured logging (Powertools Logger on Lambda, JSON lines locally). */
export interface GatewayLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const line = (level: string, message: string, fields?: Record<string, unknown>) =>
  JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...fields });

/** JSON lines on stdout/stderr. */
export const consoleLogger: GatewayLogger = {
  info: (message, fields) => console.log(line('INFO', message, fields)),
  warn: (message, fields) => console.warn(line('WARN', message, fields)),
  error: (message, fields) => console.error(line('ERROR', message, fields)),
};

export const silentLogger: GatewayLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** What an unexpected error may say in a log: its name and message, never request data. */
export const describeError = (error: unknown): Record<string, unknown> =>
  error instanceof Error ? { error: error.name, errorMessage: error.message, stack: error.stack } : { error: String(error) };

import type { ModelConfig } from '../../core/config/schema.js';
import { lazily } from './index.js';

/** A config entry's `api_key` and `headers`, resolved on first use and then kept. */
export interface LazyConfigSecrets {
  apiKey?: () => Promise<string>;
  headers?: () => Promise<Record<string, string>>;
}

/**
 * Wraps the `env:`/`secret:` references of an entry's `api_key` and `headers`
 * so they are resolved on the first call (not at start, where a missing
 * secret would take the whole gateway down) and cached after that.
 */
export const lazyConfigSecrets = (
  config: ModelConfig,
  resolveSecret: (value: string, field: string) => Promise<string>,
): LazyConfigSecrets => {
  const field = `models[${config.name}]`;
  const { api_key: apiKey, headers } = config;
  return {
    apiKey: apiKey === undefined ? undefined : lazily(() => resolveSecret(apiKey, `${field}.api_key`)),
    headers:
      headers === undefined
        ? undefined
        : lazily(async () => {
            const entries = Object.entries(headers).map(
              async ([name, value]) => [name, await resolveSecret(value, `${field}.headers.${name}`)] as const,
            );
            return Object.fromEntries(await Promise.all(entries));
          }),
  };
};

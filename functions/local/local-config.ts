import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, parseConfig } from '../core/config/load.js';
import type { TollwayConfig } from '../core/config/schema.js';

export interface LocalConfig {
  config: TollwayConfig;
  /** Absolute path of the file. */
  path: string;
  /** The file's folder: where relative paths in it start. */
  baseDirectory: string;
}

/** Reads and validates a config file; a ConfigError names the file and the field (or why it cannot be read). */
export const loadLocalConfig = (path: string): LocalConfig => {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const reason = (error as { code?: string }).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
    throw new ConfigError(`${absolute} ${reason}; set TOLLWAY_CONFIG to your tollway.config.yaml.`);
  }
  return { config: parseConfig(text, absolute), path: absolute, baseDirectory: dirname(absolute) };
};

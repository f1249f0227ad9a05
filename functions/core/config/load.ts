import { parse as parseYaml, YAMLParseError } from 'yaml';
import { describePath } from '../validation.js';
import { configSchema, type TollwayConfig } from './schema.js';

/** A configuration file that cannot be used; the message names the field. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}


/** Parses and validates the YAML text of a `tollway.config.yaml`. */
export const parseConfig = (yamlText: string, source = 'tollway.config.yaml'): TollwayConfig => {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (error) {
    const detail = error instanceof YAMLParseError ? error.message : String(error);
    throw new ConfigError(`${source}: not valid YAML: ${detail}`);
  }
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  - ${describePath(issue.path) || '(root)'}: ${issue.message}`);
    throw new ConfigError(`${source} is invalid:\n${problems.join('\n')}`);
  }
  return result.data;
};

export type { TollwayConfig };

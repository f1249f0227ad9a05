import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './gateway-client.js';

/** Every flag the CLI knows; each command reads the ones it uses. */
const optionSpecs = {
  url: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  outputs: { type: 'string' },
  // key and team settings
  alias: { type: 'string' },
  id: { type: 'string' },
  team: { type: 'string' },
  models: { type: 'string' },
  'mcp-servers': { type: 'string' },
  'knowledge-bases': { type: 'string' },
  'max-budget': { type: 'string' },
  'budget-duration': { type: 'string' },
  'soft-budget': { type: 'string' },
  rpm: { type: 'string' },
  tpm: { type: 'string' },
  duration: { type: 'string' },
  expires: { type: 'string' },
  metadata: { type: 'string' },
  // listing and spend filters
  'key-id': { type: 'string' },
  model: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  limit: { type: 'string' },
  page: { type: 'string' },
  size: { type: 'string' },
  // doctor
  'skip-bedrock': { type: 'boolean' },
} satisfies ParseArgsConfig['options'];

export type CliValues = Partial<Record<keyof typeof optionSpecs, string | boolean>>;

export interface ParsedCommandLine {
  /** `keys create sk-...` → ['keys', 'create', 'sk-...']. */
  words: string[];
  values: CliValues;
}

/** Splits the command line into words and flags; an unknown flag is a CliError naming it. */
export const parseCommandLine = (args: string[]): ParsedCommandLine => {
  try {
    const { values, positionals } = parseArgs({ args, options: optionSpecs, allowPositionals: true, strict: true });
    return { words: positionals, values: values as CliValues };
  } catch (error) {
    throw new CliError(`${(error as Error).message.split('\n')[0]} (tollway --help lists the flags)`);
  }
};

/** A string flag. */
export const text = (values: CliValues, name: keyof CliValues): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
};

const number = (values: CliValues, name: keyof CliValues, integer: boolean): number | undefined => {
  const value = text(values, name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0 || (integer && !Number.isInteger(parsed))) {
    throw new CliError(`--${name} takes a ${integer ? 'whole ' : ''}number of 0 or more, not "${value}".`);
  }
  return parsed;
};

const list = (values: CliValues, name: keyof CliValues): string[] | undefined =>
  text(values, name)
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** The limit and allowlist fields a key or team body takes, from the flags given. */
export const settingsOf = (values: CliValues): Record<string, unknown> => {
  const metadataText = text(values, 'metadata');
  let metadata: unknown;
  if (metadataText !== undefined) {
    try {
      metadata = JSON.parse(metadataText);
    } catch {
      throw new CliError('--metadata takes a JSON object, e.g. --metadata \'{"owner":"data-team"}\'.');
    }
  }
  const fields: Record<string, unknown> = {
    models: list(values, 'models'),
    mcp_servers: list(values, 'mcp-servers'),
    knowledge_bases: list(values, 'knowledge-bases'),
    max_budget: number(values, 'max-budget', false),
    budget_duration: text(values, 'budget-duration'),
    soft_budget: number(values, 'soft-budget', false),
    rpm_limit: number(values, 'rpm', true),
    tpm_limit: number(values, 'tpm', true),
    metadata,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
};

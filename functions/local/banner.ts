import { relative } from 'node:path';
import type { TollwayConfig } from '../core/config/schema.js';
import type { IndexProgress } from './local-knowledge.js';

export interface BannerFacts {
  url: string;
  config: TollwayConfig;
  configPath: string;
  /** Absolute, or `:memory:`. */
  dataDir: string;
  /** Where the JSON and EMF lines go: a file, `stdout`, or `off`. */
  logDestination: string;
  metricsOff: boolean;
  /** The other DynamoDB it uses, when not the embedded one. */
  dynamoEndpoint?: string;
  masterKey: string;
  masterKeyGenerated: boolean;
  masterKeyFromEnvironment: boolean;
  /** What indexing at start found, by knowledge base. */
  indexed: Map<string, Extract<IndexProgress, { kind: 'indexed' }>>;
}

const none = (names: string[]) => (names.length > 0 ? names.join(', ') : 'none');

/** The start banner: every base URL a client needs, what is configured, where data and logs go. */
export const bannerLines = (facts: BannerFacts): string[] => {
  const { url, config } = facts;
  const knowledgeBases = config.knowledge_bases.map((base) => {
    if (base.provider !== 'local') return `${base.name} (bedrock)`;
    const indexed = facts.indexed.get(base.name);
    return `${base.name} (local ${base.path}${indexed ? `, ${indexed.documents} documents` : ''})`;
  });
  const lines = [
    `Tollway listening on ${url}`,
    `  OpenAI base URL:    ${url}/v1`,
    `  Anthropic base URL: ${url}`,
    `  MCP:                ${url}/mcp (every server)${config.mcp_servers.length > 0 ? `, ${url}/mcp/<server>` : ''}`,
    `  models:             ${none(config.models.map((model) => model.name).filter((name, index, names) => names.indexOf(name) === index))}`,
    `  MCP servers:        ${none(config.mcp_servers.map((server) => server.name))}`,
    `  knowledge bases:    ${none(knowledgeBases)}`,
    `  config:             ${displayPath(facts.configPath)}`,
    `  data folder:        ${facts.dataDir === ':memory:' ? 'in memory (TOLLWAY_DATA_DIR=:memory:)' : displayPath(facts.dataDir)}`,
    `  JSON logs${facts.metricsOff ? '' : ', EMF metrics'}: ${logsLine(facts.logDestination)}`,
    `  DynamoDB: ${facts.dynamoEndpoint ?? 'embedded (dynalite)'}`,
  ];
  if (facts.masterKeyGenerated) lines.push(`  master key (generated, shown once): ${facts.masterKey}`);
  else if (facts.masterKeyFromEnvironment) lines.push('  master key: TOLLWAY_MASTER_KEY');
  else lines.push('  master key: stored in the data folder (master-key)');
  return lines;
};

const logsLine = (destination: string): string => {
  if (destination === 'stdout') return 'stdout (TOLLWAY_LOG_FORMAT=json)';
  if (destination === 'off') return 'off (TOLLWAY_LOG_FILE=<file>, or TOLLWAY_LOG_FORMAT=json for stdout)';
  return `${displayPath(destination)} (TOLLWAY_LOG_FORMAT=json for stdout)`;
};

/** A path relative to the working directory when inside it, absolute otherwise. */
const displayPath = (path: string): string => {
  const fromHere = relative(process.cwd(), path);
  return fromHere === '' ? '.' : fromHere.startsWith('..') ? path : `./${fromHere}`;
};

/** One line of indexing progress. */
export const indexProgressLine = (progress: IndexProgress): string =>
  progress.kind === 'indexing'
    ? `indexing knowledge base ${progress.knowledgeBase}: ${progress.documents}/${progress.total} documents`
    : `knowledge base ${progress.knowledgeBase}: ${progress.documents} documents, ${progress.chunks} passages ${progress.fromCache ? 'loaded from its index' : `indexed in ${progress.ms} ms`}`;

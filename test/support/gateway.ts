import OpenAI from 'openai';
import { parseConfig } from '../../functions/core/config/load.js';
import { silentLogger, type GatewayLogger } from '../../functions/core/logger.js';
import type { GatewayMetrics, MetricName } from '../../functions/core/metrics.js';
import { startLocalGateway, type LocalGateway } from '../../functions/local/local-gateway.js';

export const masterKey = 'sk-test-master-key-0123456789';

/** Starts the local gateway on a free port over an in-memory dynalite. */
export const startTestGateway = async (
  configYaml: string,
  environment: Record<string, string | undefined> = {},
  options: { metrics?: GatewayMetrics; logger?: GatewayLogger } = {},
): Promise<LocalGateway> =>
  startLocalGateway({
    config: parseConfig(configYaml, 'test config'),
    dataDir: ':memory:',
    port: 0,
    masterKey,
    environment,
    logger: options.logger ?? silentLogger,
    metrics: options.metrics,
  });

/** A config with one model, `relay`, served by the OpenAI-compatible server at `baseUrl`, at the given USD per million tokens. */
export const relayConfig = (baseUrl: string, price?: { input: number; output: number }) =>
  `models:\n  - name: relay\n    provider: openai-compatible\n    base_url: ${baseUrl}\n    model: relay-model\n` +
  (price ? `    price: { input_per_mtok: ${price.input}, output_per_mtok: ${price.output} }\n` : '');

/** Metrics kept in memory, for assertions. */
export const recordingMetrics = () => {
  const records: { name: MetricName; value: number; dimensions: Record<string, string> }[] = [];
  const metrics: GatewayMetrics = { record: (name, value, dimensions) => records.push({ name, value, dimensions }) };
  const total = (name: MetricName, dimensions: Record<string, string> = {}) =>
    records
      .filter((record) => record.name === name && Object.entries(dimensions).every(([key, value]) => record.dimensions[key] === value))
      .reduce((sum, record) => sum + record.value, 0);
  return { metrics, records, total };
};

/** Calls an admin route with the master key. */
export const admin = async (gateway: LocalGateway, method: 'GET' | 'POST', path: string, body?: unknown) => {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};

/** A new virtual key with the given settings. */
export const generateKey = async (gateway: LocalGateway, settings: Record<string, unknown> = {}): Promise<string> => {
  const { status, body } = await admin(gateway, 'POST', '/key/generate', settings);
  if (status !== 200) throw new Error(`key/generate failed: ${status} ${JSON.stringify(body)}`);
  return body.key as string;
};

/** The official OpenAI client pointed at the gateway. */
export const openaiClient = (gateway: LocalGateway, apiKey: string) =>
  new OpenAI({ apiKey, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 20_000 });

/** A logger that keeps every line as JSON text, for assertions. */
export const recordingLogger = () => {
  const lines: string[] = [];
  const keep = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(JSON.stringify({ level, message, ...fields }));
  };
  const logger: GatewayLogger = { info: keep('INFO'), warn: keep('WARN'), error: keep('ERROR') };
  return { logger, lines };
};

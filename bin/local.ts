import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, parseConfig } from '../functions/core/config/load.js';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { metricNamespace } from '../functions/core/metrics.js';
import { startLocalGateway } from '../functions/local/local-gateway.js';
import { createEmfMetrics } from '../functions/observability/emf-metrics.js';

/** `npm start`: the whole gateway on one port, over an embedded DynamoDB. */
const configPath = resolve(process.env.TOLLWAY_CONFIG ?? 'tollway.config.yaml');
let config;
try {
  config = parseConfig(readFileSync(configPath, 'utf8'), configPath);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `Cannot read ${configPath}: ${(error as Error).message}`);
  process.exit(1);
}

// The same EMF lines the Lambda functions write, on stdout, unless TOLLWAY_METRICS=off.
const metrics =
  process.env.TOLLWAY_METRICS === 'off' ? undefined : createEmfMetrics(new Metrics({ namespace: metricNamespace, serviceName: 'tollway-local' }));

const gateway = await startLocalGateway({
  metrics,
  config,
  dataDir: process.env.TOLLWAY_DATA_DIR ?? '.tollway',
  port: Number(process.env.PORT ?? 4000),
  host: process.env.HOST ?? '127.0.0.1',
  masterKey: process.env.TOLLWAY_MASTER_KEY,
  // Another DynamoDB (dynalite in its own process, DynamoDB Local, a real endpoint): several gateways then share one ledger.
  dynamoEndpoint: process.env.TOLLWAY_DYNAMODB_ENDPOINT || undefined,
});

console.log(`Tollway listening on ${gateway.url}`);
console.log(`  OpenAI base URL: ${gateway.url}/v1`);
console.log(`  models: ${config.models.map((model) => model.name).join(', ')}`);
console.log(`  DynamoDB: ${process.env.TOLLWAY_DYNAMODB_ENDPOINT ? gateway.dynamoEndpoint : 'embedded (dynalite)'}`);
if (gateway.masterKeyGenerated) console.log(`  master key (generated, shown once): ${gateway.masterKey}`);
else if (!process.env.TOLLWAY_MASTER_KEY) console.log('  master key: stored in the data folder (master-key)');

/** How long requests in flight may take to finish after SIGTERM before they are cut off (and settled as client_disconnected). */
const shutdownGraceMs = Number(process.env.TOLLWAY_SHUTDOWN_GRACE_MS ?? 10_000);

const shutdown = async () => {
  // Every hold is settled and every usage record written before the process exits.
  await gateway.close({ graceMs: shutdownGraceMs });
  process.exit(0);
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);

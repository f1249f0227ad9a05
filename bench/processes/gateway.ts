/**
 * Child process: the gateway under test.
 *
 * With `dynamoEndpoint` (the default of `npm run bench`) it talks to a dynalite
 * running in another process, the way a Lambda function talks to DynamoDB over
 * the network: the gateway process then holds exactly the gateway (core,
 * providers, stores, the DynamoDB client and the node:http host of local mode),
 * so its CPU time and RSS are the gateway's and not the database's (dynalite
 * keeps every usage record in memory, which would read as a leak in the soak).
 *
 * Without it, the child runs `startLocalGateway` as `npm start` does, dynalite
 * in-process (`BENCH_DYNALITE=in-process`).
 */
import { parseConfig } from '../../functions/core/config/load.js';
import { silentLogger } from '../../functions/core/logger.js';
import { startLocalGateway } from '../../functions/local/local-gateway.js';
import { childSettings, serveParent } from './child.js';

export interface GatewayChildSettings {
  configYaml: string;
  masterKey: string;
  /** dynalite in another process; in-process (`startLocalGateway`) when absent. */
  dynamoEndpoint?: string;
}

const settings = childSettings<GatewayChildSettings>();
const gateway = await startLocalGateway({
  config: parseConfig(settings.configYaml, 'bench config'),
  dataDir: ':memory:',
  dynamoEndpoint: settings.dynamoEndpoint,
  port: 0,
  masterKey: settings.masterKey,
  logger: silentLogger,
  environment: {},
});
serveParent({ url: gateway.url, dynamoEndpoint: gateway.dynamoEndpoint, tableNames: gateway.tableNames }, gateway.close);

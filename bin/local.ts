import { resolve } from 'node:path';
import { ConfigError } from '../functions/core/config/load.js';
import { bannerLines, indexProgressLine } from '../functions/local/banner.js';
import { loadLocalConfig } from '../functions/local/local-config.js';
import { startLocalGateway, type LocalGateway } from '../functions/local/local-gateway.js';
import type { IndexProgress } from '../functions/local/local-knowledge.js';
import { createLogOutput } from '../functions/local/log-output.js';
import { createRequestLog, formatRequestLine } from '../functions/local/request-log.js';
import { LocalStartError } from '../functions/local/start-error.js';
import { echoProblems } from '../functions/local/terminal-logger.js';

/**
 * `npm start`: the whole gateway on one port, over an embedded DynamoDB. The
 * terminal gets the banner and one readable line per request; the JSON log
 * and EMF lines go to `<data folder>/tollway.log` (stdout with TOLLWAY_LOG_FORMAT=json).
 */
/** One line, no stack: a ConfigError or LocalStartError says what to fix; anything else at least says what failed. */
const fail = (error: unknown): never => {
  const known = error instanceof ConfigError || error instanceof LocalStartError;
  console.error(`tollway: ${error instanceof Error ? error.message : String(error)}${known ? '' : ' (set TOLLWAY_DEBUG=1 for the stack)'}`);
  if (!known && environment.TOLLWAY_DEBUG) console.error(error);
  process.exit(1);
};

const environment = process.env;
const json = environment.TOLLWAY_LOG_FORMAT === 'json';
const dataDir = environment.TOLLWAY_DATA_DIR === ':memory:' ? ':memory:' : resolve(environment.TOLLWAY_DATA_DIR ?? '.tollway');
const metricsOn = environment.TOLLWAY_METRICS !== 'off';
const port = Number(environment.PORT ?? 4000);
const print = (text: string) => process.stdout.write(`${text}\n`);

let gateway: LocalGateway;
let closeOutput: () => Promise<void> = async () => undefined;
let logDestination = 'stdout';
const indexed = new Map<string, Extract<IndexProgress, { kind: 'indexed' }>>();
let local;
try {
  local = loadLocalConfig(environment.TOLLWAY_CONFIG ?? 'tollway.config.yaml');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new LocalStartError(`PORT=${environment.PORT} is not a port number (0 to 65535).`);
  const logFile = json ? undefined : (environment.TOLLWAY_LOG_FILE ?? (dataDir === ':memory:' ? undefined : resolve(dataDir, 'tollway.log')));
  logDestination = json ? 'stdout' : (logFile ?? 'off');
  const output = createLogOutput({ file: logFile, metrics: metricsOn, discard: !json && !logFile });
  closeOutput = output.close;
  const masterKeyFromEnvironment = Boolean(environment.TOLLWAY_MASTER_KEY);
  const requests = createRequestLog({
    logger: echoProblems(output.logger, (text) => process.stderr.write(`${text}\n`)),
    masterKey: () => gateway.masterKey,
    aliasOf: (keyId) => gateway.keyAlias(keyId),
    write: (summary) => (json ? output.logger.info('request', { ...summary, time: summary.time.toISOString() }) : print(formatRequestLine(summary))),
  });
  gateway = await startLocalGateway({
    config: local.config,
    configSource: local.path,
    baseDirectory: local.baseDirectory,
    dataDir,
    port,
    host: environment.HOST ?? '127.0.0.1',
    masterKey: environment.TOLLWAY_MASTER_KEY,
    // Another DynamoDB (dynalite in its own process, DynamoDB Local, a real endpoint): several gateways then share one ledger.
    dynamoEndpoint: environment.TOLLWAY_DYNAMODB_ENDPOINT || undefined,
    logger: requests.logger,
    metrics: output.metrics,
    observe: requests.observe,
    onIndexProgress: (progress) => {
      if (progress.kind === 'indexed') indexed.set(progress.knowledgeBase, progress);
      print(indexProgressLine(progress));
    },
  });
  for (const line of bannerLines({
    url: gateway.url,
    config: local.config,
    configPath: local.path,
    dataDir,
    logDestination,
    metricsOff: !metricsOn,
    dynamoEndpoint: environment.TOLLWAY_DYNAMODB_ENDPOINT ? gateway.dynamoEndpoint : undefined,
    masterKey: gateway.masterKey,
    masterKeyGenerated: gateway.masterKeyGenerated,
    masterKeyFromEnvironment,
    indexed,
  }))
    print(line);
} catch (error) {
  await closeOutput();
  fail(error);
}

/** How long requests in flight may take to finish after SIGTERM before they are cut off (and settled as client_disconnected). */
const shutdownGraceMs = Number(environment.TOLLWAY_SHUTDOWN_GRACE_MS ?? 10_000);

let stopping = false;
const shutdown = async (reason: string) => {
  if (stopping) {
    // A second Ctrl-C: stop now; holds left behind expire and are reclaimed by the next start.
    print('tollway: stopped at once');
    process.exit(130);
  }
  stopping = true;
  const inFlight = gateway.inFlight();
  print(`tollway: ${reason}: stopping${inFlight > 0 ? `, settling ${inFlight} request${inFlight === 1 ? '' : 's'} in flight` : ''}`);
  // Every hold is settled and every usage record written before the process exits.
  await gateway.close({ graceMs: shutdownGraceMs });
  await closeOutput();
  print('tollway: stopped');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGHUP', () => void shutdown('SIGHUP'));
// `npm start` runs this under a shell that dies on SIGTERM without passing it on: a parent gone is a stop too.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent && !stopping) void shutdown('parent process gone');
}, 250).unref();

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../core/config/load.js';
import { LocalStartError } from '../local/start-error.js';
import { keysCommand, teamsCommand, type CommandResult } from './admin-commands.js';
import { parseCommandLine, text } from './cli-options.js';
import { CliError, GatewayClient } from './gateway-client.js';
import { readStackOutputs, regionOfArn } from './stack-outputs.js';
import { modelsCommand, spendCommand } from './usage-commands.js';

export const usage = `tollway: operate a Tollway gateway (local or deployed)

  tollway keys create [--alias a] [--team t] [--models m1,m2] [--max-budget 10] [--budget-duration 30d]
                      [--soft-budget 8] [--rpm 60] [--tpm 100000] [--duration 7d] [--mcp-servers s] [--knowledge-bases k] [--metadata '{}']
  tollway keys list [--team t] | info <key> | update <key> [flags as create] | block <key> | unblock <key> | delete <key>... [--alias a]
  tollway teams create [<team id>] [--alias a] [flags as keys] | list | info <id> | update <id> [flags] | block <id> | unblock <id> | delete <id>...
  tollway spend [--key-id k] [--team t] [--model m] [--start 2026-01-01] [--end 2026-01-31] [--limit 100]
  tollway models                 deployments and health (master key), or the models a virtual key may use
  tollway doctor [--skip-bedrock]  checks config, knowledge-base folders, MCP servers, AWS credentials, region and Bedrock access
  tollway index                  indexes the local knowledge bases into the data folder, with progress
  tollway ingest <kb> [--upload <folder>] [--wait]   Bedrock knowledge-base ingestion (scripts/ingest.ts)

  --url <gateway>   default http://127.0.0.1:4000 (TOLLWAY_URL)
  --key <key>       default TOLLWAY_MASTER_KEY, else the local data folder's master-key file
  --outputs <file>  a deployed stack's outputs (cdk deploy --outputs-file <file>): its ApiUrl, and the
                    master key read from the MasterKeySecretArn secret with your AWS credentials
  --json            machine-readable output
  --config <file>   default TOLLWAY_CONFIG or ./tollway.config.yaml (doctor, index)
  --data-dir <dir>  default TOLLWAY_DATA_DIR or ./.tollway`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  environment: Record<string, string | undefined>;
  /** Where relative paths start. */
  cwd: string;
}

const isLocalUrl = (url: string) => /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(url);

/** The key: --key, TOLLWAY_MASTER_KEY, or (for a local gateway) the master-key file `npm start` keeps in the data folder. */
const keyOf = (flag: string | undefined, url: string, dataDir: string, environment: CliIo['environment']): string | undefined => {
  if (flag) return flag;
  if (environment.TOLLWAY_MASTER_KEY) return environment.TOLLWAY_MASTER_KEY;
  const file = resolve(dataDir, 'master-key');
  return isLocalUrl(url) && dataDir !== ':memory:' && existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
};

/** Runs one command line; resolves with the exit code (0 ok, 1 failed, 2 usage). */
export const runCli = async (args: string[], io: CliIo): Promise<number> => {
  try {
    // ingest takes scripts/ingest.ts's own flags.
    if (args[0] === 'ingest') return await ingest(args.slice(1), io);
    const { words, values } = parseCommandLine(args);
    const [command, verb, ...rest] = words;
    if (values.help || !command || command === 'help') {
      io.stdout(usage);
      return command || values.help ? 0 : 2;
    }
    const outputsPath = text(values, 'outputs') ?? io.environment.TOLLWAY_STACK_OUTPUTS;
    const outputs = outputsPath ? readStackOutputs(resolve(io.cwd, outputsPath)) : undefined;
    const url = text(values, 'url') ?? io.environment.TOLLWAY_URL ?? outputs?.url ?? 'http://127.0.0.1:4000';
    const configPath = resolve(io.cwd, text(values, 'config') ?? io.environment.TOLLWAY_CONFIG ?? 'tollway.config.yaml');
    const dataDirSetting = text(values, 'data-dir') ?? io.environment.TOLLWAY_DATA_DIR ?? '.tollway';
    const dataDir = dataDirSetting === ':memory:' ? dataDirSetting : resolve(io.cwd, dataDirSetting);
    const key = keyOf(text(values, 'key'), url, dataDir, io.environment) ?? (outputs?.masterKeySecretArn ? await masterKeyOf(outputs.masterKeySecretArn, io) : undefined);
    const client = new GatewayClient({ url, key });
    let result: CommandResult;
    let exitCode = 0;
    switch (command) {
      case 'keys':
        result = await keysCommand(client, verb, rest, values);
        break;
      case 'teams':
        result = await teamsCommand(client, verb, rest, values);
        break;
      case 'spend':
        result = await spendCommand(client, values);
        break;
      case 'models':
        result = await modelsCommand(client);
        break;
      case 'doctor': {
        // doctor and index load the AWS SDK, the MCP client and the indexer: only when asked for, so the admin commands start fast.
        const { doctorResult, runDoctor } = await import('./doctor.js');
        const checks = await runDoctor({ configPath, url: text(values, 'url') ?? io.environment.TOLLWAY_URL, environment: io.environment, skipBedrock: values['skip-bedrock'] === true });
        const outcome = doctorResult(checks);
        result = outcome;
        exitCode = outcome.failed ? 1 : 0;
        break;
      }
      case 'index': {
        const { indexCommand } = await import('./index-command.js');
        result = await indexCommand({ configPath, dataDir, progress: io.stderr });
        break;
      }
      default:
        throw new CliError(`Unknown command "${command}" (tollway --help lists them).`);
    }
    io.stdout(values.json ? JSON.stringify(result.data, null, 2) : result.text);
    return exitCode;
  } catch (error) {
    if (error instanceof CliError || error instanceof ConfigError || error instanceof LocalStartError) {
      io.stderr(`tollway: ${error.message}`);
      return 1;
    }
    throw error;
  }
};

/** The deployed master key, from its Secrets Manager secret (the AWS SDK's default credentials and the ARN's region). */
const masterKeyOf = async (secretArn: string, io: CliIo): Promise<string> => {
  const { secretsReader } = await import('../runtime/aws/secrets.js');
  try {
    const value = await secretsReader({ region: io.environment.AWS_REGION ?? regionOfArn(secretArn) })(secretArn);
    if (value) return value.trim();
  } catch (error) {
    throw new CliError(`the master key secret ${secretArn} cannot be read (${(error as Error).message}); check your AWS credentials, or pass --key.`);
  }
  throw new CliError(`the master key secret ${secretArn} does not exist; pass --key.`);
};

/** `tollway ingest`: scripts/ingest.ts, which prints the ingestion job's progress with --wait. */
const ingest = (args: string[], io: CliIo): Promise<number> => {
  const script = new URL('../../scripts/ingest.ts', import.meta.url).pathname;
  if (args.length === 0 || args[0].startsWith('-')) throw new CliError('Give the knowledge base: tollway ingest <knowledge-base> [--upload <folder>] [--wait]');
  return new Promise((resolveExit) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: 'inherit', env: io.environment as NodeJS.ProcessEnv, cwd: io.cwd });
    child.once('exit', (code) => resolveExit(code ?? 1));
  });
};

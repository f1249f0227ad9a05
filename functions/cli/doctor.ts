import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { environmentResolver, resolveReferences } from '../core/config/references.js';
import type { McpServerConfig, TollwayConfig } from '../core/config/schema.js';
import { localSecretVariable } from '../local/local-gateway.js';
import { loadLocalConfig } from '../local/local-config.js';
import { folderProblem, localKnowledgeFolders } from '../local/local-knowledge.js';
import { createBedrockRuntimeClient } from '../runtime/aws/bedrock-clients.js';
import type { CommandResult } from './admin-commands.js';

/** One thing `tollway doctor` looked at. */
export interface Check {
  check: string;
  status: 'ok' | 'fail' | 'warn' | 'skip';
  detail: string;
  /** What to do about a failure. */
  fix?: string;
}

export interface DoctorOptions {
  configPath: string;
  /** The gateway to ask for /health, when given. */
  url?: string;
  environment: Record<string, string | undefined>;
  skipBedrock: boolean;
  timeoutMs?: number;
}

const withTimeout = <Value>(work: Promise<Value>, ms: number, what: string): Promise<Value> =>
  Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms).unref())]);

const describe = (error: unknown): string => {
  const named = error as { name?: string; message?: string; cause?: { code?: string } };
  return [named.name && named.name !== 'Error' ? named.name : undefined, named.message, named.cause?.code].filter(Boolean).join(': ');
};

const mcpServerCheck = async (server: McpServerConfig, environment: Record<string, string | undefined>, timeoutMs: number): Promise<Check> => {
  const check = `MCP server ${server.name}`;
  const resolver = environmentResolver(environment, async (name) => environment[localSecretVariable(name)]);
  let headers: Record<string, string>;
  try {
    headers = Object.fromEntries(
      await Promise.all(Object.entries(server.headers ?? {}).map(async ([name, value]) => [name, await resolveReferences(value, resolver, `mcp_servers.${server.name}.headers.${name}`)])),
    );
  } catch (error) {
    return { check, status: 'fail', detail: describe(error), fix: 'set the environment variable its env:NAME names (secret:NAME locally: TOLLWAY_SECRET_<NAME>)' };
  }
  const client = new Client({ name: 'tollway-doctor', version: '1' });
  try {
    await withTimeout(client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers } })), timeoutMs, server.url);
    const { tools } = await withTimeout(client.listTools(), timeoutMs, server.url);
    return { check, status: 'ok', detail: `${server.url} answers, ${tools.length} tools` };
  } catch (error) {
    return { check, status: 'fail', detail: `${server.url}: ${describe(error)}`, fix: `check that the server runs and that url and headers of mcp_servers "${server.name}" are right` };
  } finally {
    await client.close().catch(() => undefined);
  }
};

const awsChecks = async (config: TollwayConfig, options: DoctorOptions, timeoutMs: number): Promise<Check[]> => {
  const bedrockModels = config.models.filter((model) => model.provider === 'bedrock');
  const bedrockBases = config.knowledge_bases.filter((base) => base.provider === 'bedrock');
  if (bedrockModels.length === 0 && bedrockBases.length === 0) return [{ check: 'AWS', status: 'skip', detail: 'no Bedrock models or knowledge bases configured' }];
  const client = createBedrockRuntimeClient({});
  const checks: Check[] = [];
  try {
    const region = await client.config.region().catch(() => undefined);
    if (!region) {
      return [{ check: 'AWS region', status: 'fail', detail: 'no region', fix: 'set AWS_REGION (e.g. us-east-1), or a region in your AWS profile' }];
    }
    checks.push({ check: 'AWS region', status: 'ok', detail: region });
    try {
      const credentials = await withTimeout(client.config.credentials(), timeoutMs, 'credentials');
      checks.push({ check: 'AWS credentials', status: 'ok', detail: `access key ${credentials.accessKeyId.slice(0, 4)}…${options.environment.AWS_PROFILE ? ` (profile ${options.environment.AWS_PROFILE})` : ''}` });
    } catch (error) {
      return [...checks, { check: 'AWS credentials', status: 'fail', detail: describe(error), fix: 'run `aws configure` or `aws sso login`, or set AWS_PROFILE / AWS_ACCESS_KEY_ID; Bedrock models fail without them' }];
    }
    if (options.skipBedrock) return [...checks, { check: 'Bedrock models', status: 'skip', detail: '--skip-bedrock' }];
    for (const model of bedrockModels) {
      const check = `Bedrock model ${model.name}`;
      if (model.mode === 'embedding') {
        checks.push({ check, status: 'skip', detail: `${model.model}: embedding models are not called by doctor` });
        continue;
      }
      const regional = model.region ? createBedrockRuntimeClient({ region: model.region }) : client;
      try {
        // One 1-token request: the only proof that model access is granted in this account and region.
        await withTimeout(
          regional.send(new ConverseCommand({ modelId: model.model, messages: [{ role: 'user', content: [{ text: 'ping' }] }], inferenceConfig: { maxTokens: 1 } })),
          timeoutMs,
          model.model ?? model.name,
        );
        checks.push({ check, status: 'ok', detail: `${model.model} answers` });
      } catch (error) {
        const name = (error as { name?: string }).name;
        const fix =
          name === 'AccessDeniedException'
            ? 'grant model access in the Bedrock console (Model access) and bedrock:InvokeModel to your identity'
            : name === 'ResourceNotFoundException' || name === 'ValidationException'
              ? `check the model id of "${model.name}" and that it is offered in this region (an inference profile id such as us.… for cross-region models)`
              : 'check your network and region';
        checks.push({ check, status: 'fail', detail: `${model.model}: ${describe(error)}`, fix });
      } finally {
        if (regional !== client) regional.destroy();
      }
    }
    return checks;
  } finally {
    client.destroy();
  }
};

const gatewayCheck = async (url: string, timeoutMs: number): Promise<Check> => {
  try {
    const response = await withTimeout(fetch(`${url.replace(/\/+$/, '')}/health`), timeoutMs, url);
    return response.ok
      ? { check: 'gateway', status: 'ok', detail: `${url} answers /health` }
      : { check: 'gateway', status: 'fail', detail: `${url}/health: ${response.status}`, fix: 'is --url the gateway (without /v1)?' };
  } catch (error) {
    return { check: 'gateway', status: 'warn', detail: `${url}: ${describe(error)}`, fix: 'start it with `npm start`, or pass --url of a deployed gateway' };
  }
};

/** `tollway doctor`: the config, the knowledge-base folders, the MCP servers, AWS credentials, region and Bedrock model access, the gateway. */
export const runDoctor = async (options: DoctorOptions): Promise<Check[]> => {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const checks: Check[] = [];
  let config: TollwayConfig;
  let baseDirectory: string;
  try {
    const local = loadLocalConfig(options.configPath);
    config = local.config;
    baseDirectory = local.baseDirectory;
    checks.push({
      check: 'config',
      status: 'ok',
      detail: `${local.path}: ${config.models.length} models, ${config.mcp_servers.length} MCP servers, ${config.knowledge_bases.length} knowledge bases`,
    });
  } catch (error) {
    return [{ check: 'config', status: 'fail', detail: (error as Error).message, fix: 'fix the fields named above (or set TOLLWAY_CONFIG / --config to the right file)' }];
  }
  for (const base of localKnowledgeFolders(config, baseDirectory)) {
    const problem = folderProblem(base.folder);
    checks.push(
      problem
        ? { check: `knowledge base ${base.name}`, status: 'fail', detail: `${base.path} (${base.folder}) ${problem}`, fix: `fix "path" of knowledge_bases "${base.name}"; relative paths start at the config file's folder` }
        : { check: `knowledge base ${base.name}`, status: 'ok', detail: `${base.folder} exists` },
    );
  }
  checks.push(...(await Promise.all(config.mcp_servers.map((server) => mcpServerCheck(server, options.environment, timeoutMs)))));
  checks.push(...(await awsChecks(config, options, timeoutMs)));
  if (options.url) checks.push(await gatewayCheck(options.url, timeoutMs));
  return checks;
};

/** The checks as a CLI result: one line each, the fix under each failure. */
export const doctorResult = (checks: Check[]): CommandResult & { failed: boolean } => {
  const marks = { ok: 'ok  ', fail: 'FAIL', warn: 'warn', skip: 'skip' };
  const lines = checks.flatMap((check) => [`${marks[check.status]}  ${check.check}: ${check.detail}`, ...(check.fix && check.status !== 'ok' ? [`      fix: ${check.fix}`] : [])]);
  const failed = checks.some((check) => check.status === 'fail');
  lines.push('', failed ? `${checks.filter((check) => check.status === 'fail').length} problem(s) to fix` : 'no problems found');
  return { data: { checks, ok: !failed }, text: lines.join('\n'), failed };
};

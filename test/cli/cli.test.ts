/**
 * `npx tollway` against a local gateway in its own process (bin/local.ts, as
 * `npm start` runs it): every command, its `--json` output parsed, and what
 * each did checked through the gateway. The commands run through `runCli`,
 * what bin/cli.ts calls (a process each would cost a second of tsx start);
 * the last test runs the real bin/tollway-cli.mjs.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../functions/cli/main.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEverythingServer, type EverythingServer } from '../support/everything-server.js';
import { completionBody, sendJson, startFakeUpstream, type FakeUpstream } from '../support/fake-openai-upstream.js';
import { masterKey } from '../support/gateway.js';
import { startGatewayProcess, stopGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

const repositoryRoot = new URL('../../', import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('npx tollway', () => {
  let upstream: FakeUpstream;
  let everything: EverythingServer;
  let gateway: GatewayProcess;
  let folder: string;
  let configFile: string;

  const environmentOf = (extra: Record<string, string>) => ({ ...process.env, TOLLWAY_URL: gateway.url, TOLLWAY_MASTER_KEY: masterKey, TOLLWAY_CONFIG: configFile, ...extra });
  /** Runs a command line with the gateway's URL and the master key in its environment. */
  const tollway = async (args: string[], environment: Record<string, string> = {}): Promise<Run> => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, { stdout: (text) => (stdout += `${text}\n`), stderr: (text) => (stderr += `${text}\n`), environment: environmentOf(environment), cwd: folder });
    return { code, stdout, stderr };
  };
  /** The same, through the package's bin in its own process. */
  const tollwayBin = (args: string[], environment: Record<string, string | undefined> = {}) =>
    new Promise<Run>((resolve) => {
      execFile(
        process.execPath,
        [join(repositoryRoot, 'bin/tollway-cli.mjs'), ...args],
        { cwd: folder, env: { ...environmentOf({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }), ...environment } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  const json = async (args: string[]) => {
    const run = await tollway([...args, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as Record<string, any>;
  };
  const chat = (key: string) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'relay', max_tokens: 20, messages: [{ role: 'user', content: 'hello' }] }),
    });

  beforeAll(async () => {
    upstream = await startFakeUpstream((_request, response) => sendJson(response, 200, completionBody({ role: 'assistant', content: 'hi' }, 'stop')));
    everything = await startEverythingServer();
    folder = mkdtempSync(join(tmpdir(), 'tollway-cli-'));
    mkdirSync(join(folder, 'docs'));
    writeFileSync(join(folder, 'docs', 'leave.md'), '# Leave\n\nEvery employee has 25 days of paid leave a year.\n');
    configFile = join(folder, 'tollway.config.yaml');
    writeFileSync(
      configFile,
      `models:
  - name: relay
    provider: openai-compatible
    base_url: ${upstream.baseUrl}
    model: relay-model
    price: { input_per_mtok: 1000, output_per_mtok: 2000 }
mcp_servers:
  - name: everything
    url: ${everything.url}
  - name: gone
    url: http://127.0.0.1:9/mcp
knowledge_bases:
  - name: handbook
    provider: local
    path: ./docs
`,
    );
    gateway = await startGatewayProcess({ TOLLWAY_CONFIG: configFile, TOLLWAY_DATA_DIR: join(folder, 'data'), TOLLWAY_MASTER_KEY: masterKey, TOLLWAY_METRICS: 'off' });
  }, 60_000);
  afterAll(async () => {
    if (gateway) await stopGatewayProcess(gateway.child);
    await everything?.stop();
    await upstream?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('keys: create, info, list, update, block, unblock and delete, each seen by the gateway', async () => {
    const created = await json(['keys', 'create', '--alias', 'cli-key', '--max-budget', '5', '--rpm', '60', '--models', 'relay']);
    expect(created.key).toMatch(/^sk-/);
    expect(created.key_alias).toBe('cli-key');
    expect((await chat(created.key)).status).toBe(200);

    const info = await json(['keys', 'info', created.key]);
    expect(info.info).toMatchObject({ key_alias: 'cli-key', max_budget: 5, rpm_limit: 60, models: ['relay'] });
    const listed = await json(['keys', 'list']);
    expect(listed.keys.map((key: { key_alias?: string }) => key.key_alias)).toContain('cli-key');
    const table = await tollway(['keys', 'list']);
    expect(table.stdout).toMatch(/alias[\s\S]*cli-key[\s\S]*\$5\.00/);

    expect((await json(['keys', 'update', created.key, '--max-budget', '7'])).max_budget).toBe(7);
    expect((await json(['keys', 'block', created.key])).blocked).toBe(true);
    expect((await chat(created.key)).status).toBe(401);
    expect((await json(['keys', 'unblock', created.key])).blocked).toBe(false);
    expect((await chat(created.key)).status).toBe(200);

    const deleted = await json(['keys', 'delete', created.key]);
    expect(deleted.deleted_keys).toHaveLength(1);
    expect((await chat(created.key)).status).toBe(401);
    const gone = await tollway(['keys', 'info', created.key]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^tollway: .*404/m);
  }, 60_000);

  it('teams: create, list, info, update, block, unblock and delete', async () => {
    const created = await json(['teams', 'create', 'team-cli', '--alias', 'Platform', '--max-budget', '50']);
    expect(created).toMatchObject({ team_id: 'team-cli', team_alias: 'Platform', max_budget: 50 });
    expect((await json(['teams', 'list'])).teams.map((team: { team_id: string }) => team.team_id)).toContain('team-cli');
    const member = await json(['keys', 'create', '--team', 'team-cli', '--alias', 'member']);
    const info = await json(['teams', 'info', 'team-cli']);
    expect(info.team_info.team_alias).toBe('Platform');
    expect(info.keys.map((key: { key_alias?: string }) => key.key_alias)).toEqual(['member']);
    expect((await json(['teams', 'update', 'team-cli', '--max-budget', '60'])).max_budget).toBe(60);
    expect((await json(['teams', 'block', 'team-cli'])).blocked).toBe(true);
    expect((await chat(member.key)).status).toBe(401);
    expect((await json(['teams', 'unblock', 'team-cli'])).blocked).toBe(false);
    expect((await chat(member.key)).status).toBe(200);

    // A team with keys is not deleted; without them, it is.
    const refused = await tollway(['teams', 'delete', 'team-cli']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('team_has_keys');
    await json(['keys', 'delete', member.key]);
    await json(['teams', 'delete', 'team-cli']);
    expect((await json(['teams', 'list'])).teams.map((team: { team_id: string }) => team.team_id)).not.toContain('team-cli');
  }, 60_000);

  it('spend and models: the usage records of requests made, and the deployments', async () => {
    const { key, key_id: keyId } = await json(['keys', 'create', '--alias', 'spender']);
    for (let index = 0; index < 2; index += 1) expect((await chat(key)).status).toBe(200);

    await expect.poll(async () => (await json(['spend', '--key-id', keyId])).data.length, { timeout: 10_000 }).toBe(2);
    const spend = await json(['spend', '--key-id', keyId]);
    expect(spend.data.every((record: { model: string; spend: number }) => record.model === 'relay' && record.spend > 0)).toBe(true);
    expect((await tollway(['spend', '--key-id', keyId])).stdout).toMatch(/2 requests, \$/);

    const models = await json(['models']);
    expect(models.data.map((entry: { model_name: string }) => entry.model_name)).toEqual(['relay']);
  }, 60_000);

  it('doctor: says what is fine and what to fix, and fails while something is broken', async () => {
    const run = await tollway(['doctor', '--json']);
    const { checks, ok } = JSON.parse(run.stdout) as { ok: boolean; checks: Array<{ check: string; status: string; fix?: string }> };
    const status = Object.fromEntries(checks.map((check) => [check.check, check.status]));

    expect(run.code).toBe(1);
    expect(ok).toBe(false);
    expect(status.config).toBe('ok');
    expect(status['knowledge base handbook']).toBe('ok');
    expect(status.gateway).toBe('ok');
    expect(Object.entries(status).filter(([name]) => name.includes('everything'))).toEqual([[expect.stringContaining('everything'), 'ok']]);
    const gone = checks.find((check) => check.check.includes('gone'));
    expect(gone?.status).toBe('fail');
    expect(gone?.fix).toContain('mcp_servers "gone"');
  }, 60_000);

  it('index: builds the local indexes into the data folder, with progress', async () => {
    const dataDir = join(folder, 'index-data');
    const run = await tollway(['index', '--data-dir', dataDir, '--json']);

    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/knowledge base handbook: 1 documents, \d+ passages indexed/);
    expect(JSON.parse(run.stdout).knowledge_bases).toMatchObject([{ knowledgeBase: 'handbook', documents: 1 }]);
  }, 60_000);

  it('the bin: --json output of its own process, and one line with a failing exit code for an unknown command or flag', async () => {
    const listed = await tollwayBin(['keys', 'list', '--json']);
    const unknown = await tollwayBin(['frobnicate']);
    const badFlag = await tollway(['keys', 'list', '--colour']);

    expect(listed.code).toBe(0);
    expect(Array.isArray(JSON.parse(listed.stdout).keys)).toBe(true);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n').at(-1)).toBe('tollway: Unknown command "frobnicate" (tollway --help lists them).');
    expect(badFlag.code).toBe(1);
    expect(badFlag.stderr).toMatch(/tollway: .*--colour/);
  }, 30_000);

  it('--outputs: the URL and master key of a deployed stack, from cdk deploy --outputs-file and its Secrets Manager secret', async () => {
    // Prepare: Secrets Manager (which cannot run here) answering GetSecretValue for the stack's secret.
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:TollwayMasterKeySecret-AbC123';
    const asked: string[] = [];
    const secretsManager: Server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const { SecretId } = JSON.parse(body) as { SecretId: string };
        asked.push(`${String(request.headers['x-amz-target'])} ${SecretId}`);
        response.setHeader('content-type', 'application/x-amz-json-1.1');
        response.end(JSON.stringify({ ARN: secretArn, Name: 'TollwayMasterKeySecret', SecretString: masterKey, VersionId: 'v1', CreatedDate: 1764700000 }));
      });
    });
    await new Promise<void>((resolve) => secretsManager.listen(0, '127.0.0.1', resolve));
    const outputsFile = join(folder, 'outputs.json');
    writeFileSync(outputsFile, JSON.stringify({ Tollway: { ApiUrl: `${gateway.url}/`, MasterKeySecretArn: secretArn } }));

    // Act
    const run = await tollwayBin(['keys', 'list', '--json', '--outputs', 'outputs.json'], {
      TOLLWAY_URL: undefined,
      TOLLWAY_MASTER_KEY: undefined,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(secretsManager.address() as AddressInfo).port}`,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'example-secret',
    }).finally(() => secretsManager.close());

    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(Array.isArray(JSON.parse(run.stdout).keys)).toBe(true);
    expect(asked).toEqual([`secretsmanager.GetSecretValue ${secretArn}`]);
  }, 30_000);
});

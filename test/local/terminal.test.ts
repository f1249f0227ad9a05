/**
 * What `npm start` tells a person in the terminal: the banner with every base
 * URL and what is configured, one readable line per request (refusals too),
 * and one-line errors for a busy port and a missing knowledge-base folder.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { masterKey } from '../support/gateway.js';
import { completionBody, sendJson, startFakeUpstream, type FakeUpstream } from '../support/fake-openai-upstream.js';
import { startGatewayProcess, stopGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

const configYaml = (upstreamUrl: string, knowledgePath: string) => `
models:
  - name: relay
    provider: openai-compatible
    base_url: ${upstreamUrl}
    model: relay-model
    price: { input_per_mtok: 1, output_per_mtok: 2 }
mcp_servers:
  - name: tickets
    url: http://127.0.0.1:9/mcp
knowledge_bases:
  - name: handbook
    provider: local
    path: ${knowledgePath}
`;

/** Everything the process prints from now on. */
const capture = (gateway: GatewayProcess) => {
  let text = gateway.output;
  gateway.child.stdout!.on('data', (data: Buffer) => (text += data.toString()));
  gateway.child.stderr!.on('data', (data: Buffer) => (text += data.toString()));
  return { lines: () => text.split('\n') };
};

/** The start's failure: its output, one line expected. */
const failedStart = (environment: Record<string, string>) =>
  startGatewayProcess(environment, { timeoutMs: 30_000 }).then(
    async (started) => {
      await stopGatewayProcess(started.child);
      throw new Error('the gateway started');
    },
    (error: Error) => error.message.replace(/^exited with (\d+):\n/, (_, code: string) => `${code}\n`),
  );

describe('the terminal of npm start', () => {
  let upstream: FakeUpstream;
  let folder: string;
  let configFile: string;
  let dataDir: string;

  beforeAll(async () => {
    upstream = await startFakeUpstream((_request, response) => sendJson(response, 200, completionBody({ role: 'assistant', content: 'hi' }, 'stop')));
    // The config lives in its own folder, and names its knowledge folder relative to itself, not to the working directory.
    folder = mkdtempSync(join(tmpdir(), 'tollway-terminal-'));
    mkdirSync(join(folder, 'docs'));
    writeFileSync(join(folder, 'docs', 'leave.md'), '# Leave\n\nEvery employee has 25 days of paid leave a year.\n');
    configFile = join(folder, 'tollway.config.yaml');
    writeFileSync(configFile, configYaml(upstream.baseUrl, './docs'));
    dataDir = join(folder, 'data');
  });
  afterAll(async () => {
    await upstream?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const environment = () => ({ TOLLWAY_CONFIG: configFile, TOLLWAY_DATA_DIR: dataDir, TOLLWAY_MASTER_KEY: masterKey, TOLLWAY_METRICS: 'off' });

  it('prints the base URLs, models, MCP servers, knowledge bases and data folder, and one line per request, refusals included', async () => {
    // Prepare
    const gateway = await startGatewayProcess(environment(), { ready: /master key/ });
    const terminal = capture(gateway);
    const { url } = gateway;
    try {
      const generate = async (body: Record<string, unknown>) =>
        ((await (await fetch(`${url}/key/generate`, { method: 'POST', headers: { authorization: `Bearer ${masterKey}` }, body: JSON.stringify(body) })).json()) as { key: string }).key;
      const chat = (key: string | undefined) =>
        fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
          body: JSON.stringify({ model: 'relay', max_tokens: 20, messages: [{ role: 'user', content: 'hello' }] }),
        });
      const limited = await generate({ key_alias: 'limited', rpm_limit: 1 });
      const elsewhere = await generate({ key_alias: 'elsewhere', models: ['another-model'] });

      // Act
      const statuses = [];
      for (const response of [await chat(limited), await chat(limited), await chat(undefined), await chat(elsewhere), await fetch(`${url}/v1/nothing-here`, { headers: { authorization: `Bearer ${limited}` } })]) {
        statuses.push(response.status);
        await response.text();
      }
      await expect.poll(() => terminal.lines().filter((line) => / \d{3} (GET|POST) \/v1\//.test(line)).length, { timeout: 5_000 }).toBe(5);

      // Assess: the banner
      expect(statuses).toEqual([200, 429, 401, 403, 404]);
      const banner = gateway.output;
      expect(banner).toContain(`OpenAI base URL:    ${url}/v1`);
      expect(banner).toContain(`Anthropic base URL: ${url}\n`);
      expect(banner).toContain(`${url}/mcp (every server), ${url}/mcp/<server>`);
      expect(banner).toMatch(/models: +relay\n/);
      expect(banner).toMatch(/MCP servers: +tickets\n/);
      expect(banner).toMatch(/knowledge bases: +handbook \(local \.\/docs, 1 documents\)/);
      expect(banner).toContain(dataDir);
      expect(banner).toMatch(/knowledge base handbook: 1 documents, \d+ passages indexed/);
      // The index lives in the data folder, not in ./.tollway of the working directory; so do the JSON lines.
      expect(JSON.parse(readFileSync(join(dataDir, 'knowledge', 'handbook.json'), 'utf8'))).toBeTruthy();
      expect(readFileSync(join(dataDir, 'tollway.log'), 'utf8')).toContain('"message":"completion"');

      // Assess: one line per request, with status, route, model, key, cost, latency and the code of a refusal
      const requestLines = terminal.lines().filter((line) => / \d{3} (GET|POST) \/v1\//.test(line));
      expect(requestLines[0]).toMatch(/^\d\d:\d\d:\d\d 200 POST \/v1\/chat\/completions model=relay key=limited cost=\$\S+ \d+ms$/);
      expect(requestLines[1]).toMatch(/ 429 POST \/v1\/chat\/completions model=relay key=limited \d+ms rate_limit/);
      expect(requestLines[2]).toMatch(/ 401 POST \/v1\/chat\/completions \d+ms invalid_api_key$/);
      expect(requestLines[3]).toMatch(/ 403 POST \/v1\/chat\/completions model=relay key=elsewhere \d+ms \S+/);
      expect(requestLines[4]).toMatch(/ 404 GET \/v1\/nothing-here key=limited \d+ms \S+/);
      // No JSON or EMF line reaches the terminal: those go to the log file.
      expect(terminal.lines().filter((line) => line.startsWith('{'))).toEqual([]);
    } finally {
      await stopGatewayProcess(gateway.child);
    }
  }, 60_000);

  it('says in one line, without a stack, that the port is taken', async () => {
    // Prepare
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;

    // Act
    const output = await failedStart({ ...environment(), TOLLWAY_DATA_DIR: ':memory:', PORT: String(port) }).finally(() => taken.close());

    // Assess
    const [code, ...lines] = output.trim().split('\n');
    expect(code).toBe('1');
    expect(lines.filter((line) => !line.startsWith('knowledge base handbook:'))).toEqual([`tollway: Port ${port} on 127.0.0.1 is already in use (another Tollway, or another program); stop it, or start with PORT=<another port>.`]);
  }, 40_000);

  it('says in one line which knowledge-base folder is missing, resolved against the config file', async () => {
    // Prepare
    const badConfig = join(folder, 'missing-path.config.yaml');
    writeFileSync(badConfig, configYaml(upstream.baseUrl, './no-such-folder'));

    // Act
    const output = await failedStart({ ...environment(), TOLLWAY_DATA_DIR: ':memory:', TOLLWAY_CONFIG: badConfig });

    // Assess
    const [code, ...lines] = output.trim().split('\n');
    expect(code).toBe('1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('knowledge_bases "handbook": path ./no-such-folder');
    expect(lines[0]).toContain(join(folder, 'no-such-folder'));
    expect(lines[0]).not.toMatch(/\n\s+at /);
  }, 40_000);
});

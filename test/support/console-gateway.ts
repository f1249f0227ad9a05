/**
 * What the console's browser tests run against: the gateway started as
 * `npm start` starts it (bin/local.ts in its own process, embedded DynamoDB),
 * in front of a local Bedrock replaying recorded Converse answers, with the
 * reference MCP server and the shipped knowledge folder; and headless Chromium.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildConsole } from '../../scripts/build-console.mjs';
import { loadResponseFixture, loadStreamFixture } from '../providers/bedrock/bedrock-test-helpers.js';
import { startEverythingServer, type EverythingServer } from './everything-server.js';
import { startGatewayProcess, stopGatewayProcess, type GatewayProcess } from './gateway-process.js';
import { startLocalBedrock, stopLocalBedrocks, testCredentials, type Answer, type ReceivedRequest } from './local-bedrock.js';

const repositoryRoot = new URL('../../', import.meta.url).pathname;
const chromiumPath = process.env.TOLLWAY_CHROMIUM ?? '/usr/bin/chromium';

export const masterKey = 'sk-console-master-key-0123456789';

/** A user message with this word makes the local Bedrock fail (503), for an error in the charts. */
export const failingWord = 'unavailable';

/** The recorded text answer of Bedrock, streamed or not; a 503 for a message naming `failingWord`. */
const recordedAnswer = (request: ReceivedRequest): Answer => {
  if (JSON.stringify(request.body.messages ?? []).includes(failingWord)) return { status: 503, errorType: 'ServiceUnavailableException', message: 'Bedrock is unavailable.' };
  return request.path.endsWith('/converse-stream') ? { events: loadStreamFixture('text') } : { json: loadResponseFixture('text') };
};

const configFor = (mcpUrl: string) => `models:
  - name: claude-sonnet
    provider: bedrock
    model: us.anthropic.claude-sonnet-4-5-20250929-v1:0
    region: us-east-1
    max_output_tokens: 1024
    price: { input_per_mtok: 3.0, output_per_mtok: 15.0 }
  - name: claude-haiku
    provider: bedrock
    model: us.anthropic.claude-haiku-4-5-20251001-v1:0
    region: us-east-1
    max_output_tokens: 1024
    price: { input_per_mtok: 1.0, output_per_mtok: 5.0 }
mcp_servers:
  - name: everything
    url: ${mcpUrl}
knowledge_bases:
  - name: docs
    provider: local
    path: ${join(repositoryRoot, 'knowledge')}
settings:
  router: { num_retries: 0 }
`;

export interface ConsoleGateway {
  url: string;
  browser: Browser;
  /** The OpenAI SDK with `apiKey`, over HTTP to the gateway. */
  openai(apiKey: string): OpenAI;
  /** A JSON call with the master key. */
  admin(path: string, body?: unknown): Promise<Record<string, unknown>>;
  /** A fresh page (its own context: its own sessionStorage) at the console. */
  openConsole(): Promise<Page>;
  close(): Promise<void>;
}

/** Starts the local Bedrock, the MCP server, the gateway process and Chromium. */
export const startConsoleGateway = async (): Promise<ConsoleGateway> => {
  const configDir = mkdtempSync(join(tmpdir(), 'tollway-console-'));
  let mcp: EverythingServer | undefined;
  let gateway: GatewayProcess | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    if (gateway) await stopGatewayProcess(gateway.child);
    await mcp?.stop();
    await stopLocalBedrocks();
    rmSync(configDir, { recursive: true, force: true });
  };
  try {
    const [bedrock, everything] = await Promise.all([startLocalBedrock(recordedAnswer), startEverythingServer(), buildConsole()]);
    mcp = everything;
    writeFileSync(join(configDir, 'tollway.config.yaml'), configFor(everything.url));
    [gateway, browser] = await Promise.all([
      startGatewayProcess(
        {
          TOLLWAY_DATA_DIR: join(configDir, 'data'),
          TOLLWAY_MASTER_KEY: masterKey,
          TOLLWAY_CONFIG: join(configDir, 'tollway.config.yaml'),
          TOLLWAY_METRICS: 'off',
          AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.endpoint,
          AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
          AWS_REGION: 'us-east-1',
        },
        { ready: /listening on http/, timeoutMs: 30_000 },
      ),
      chromium.launch({
        executablePath: chromiumPath,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      }),
    ]);
  } catch (error) {
    await close();
    throw error;
  }
  const url = gateway.url;
  const started = browser;
  return {
    url,
    browser: started,
    openai: (apiKey) => new OpenAI({ apiKey, baseURL: `${url}/v1`, maxRetries: 0, timeout: 10_000 }),
    admin: async (path, body) => {
      const response = await fetch(`${url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as Record<string, unknown>;
    },
    openConsole: async () => {
      const context = await started.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
      const page = await context.newPage();
      await page.goto(`${url}/ui`);
      return page;
    },
    close,
  };
};

/** Where the tests put their screenshots (gitignored): test-output/console/. */
export const screenshotFolder = () => {
  const folder = join(repositoryRoot, 'test-output', 'console');
  mkdirSync(folder, { recursive: true });
  return folder;
};

/** Signs in on the console's sign-in form. */
export const signIn = async (page: Page, key: string) => {
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
};

/** Follows a link of the console's navigation and waits for the page's heading. */
export const goTo = async (page: Page, link: string, heading = link) => {
  await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
};

/** The dollar amount in a text such as "$0.0420 total". */
export const dollars = (text: string | null) => Number(/\$([0-9.e-]+)/.exec(text ?? '')?.[1] ?? Number.NaN);

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '../../scripts/build-console.mjs';
import { startGatewayProcess, stopGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

const repositoryRoot = new URL('../../', import.meta.url).pathname;
const screenshots = join(repositoryRoot, 'test-output', 'screenshots');
const chromiumPath = process.env.TOLLWAY_CHROMIUM ?? '/usr/bin/chromium';
const masterKey = 'sk-console-master-key-0123456789';

const config = `models:
  - name: echo
    provider: echo
    price: { input_per_mtok: 1000.0, output_per_mtok: 2000.0 }
  - name: echo-mini
    provider: echo
    price: { input_per_mtok: 100.0, output_per_mtok: 200.0 }
`;

/** The dollar amount in a text such as "$0.0420 total". */
const dollars = (text: string | null) => Number(/\$([0-9.e-]+)/.exec(text ?? '')?.[1] ?? Number.NaN);

/**
 * The console in real headless Chromium against the gateway started as
 * `npm start` starts it (bin/local.ts in its own process, embedded DynamoDB).
 * The steps share one gateway and one browser, in order.
 */
describe('the web console at /ui, in Chromium', () => {
  let gateway: GatewayProcess;
  let browser: Browser;
  let page: Page;
  let configDir: string;
  let newKey: string;
  let otherKey: string;

  const shoot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`) });
  const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 10_000 });
  const goTo = async (pageName: string, heading: string) => {
    await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link', { name: pageName, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };
  const signIn = async (key: string) => {
    await page.goto(`${gateway.url}/ui`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  beforeAll(async () => {
    await buildConsole();
    mkdirSync(screenshots, { recursive: true });
    configDir = mkdtempSync(join(tmpdir(), 'tollway-console-'));
    writeFileSync(join(configDir, 'tollway.config.yaml'), config);
    [gateway, browser] = await Promise.all([
      startGatewayProcess(
        { TOLLWAY_DATA_DIR: ':memory:', TOLLWAY_MASTER_KEY: masterKey, TOLLWAY_CONFIG: join(configDir, 'tollway.config.yaml'), TOLLWAY_METRICS: 'off' },
        { ready: /listening on http/, timeoutMs: 30_000 },
      ),
      chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] }),
    ]);
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gateway.url });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    if (gateway) await stopGatewayProcess(gateway.child);
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('signs in with the master key and creates a key, shown once with a copy button and listed with its budget', async () => {
    await signIn(masterKey);
    await expect(page.locator('[data-role="master"]').textContent()).resolves.toContain('Administrator');

    await goTo('Keys', 'Keys');
    await page.getByRole('button', { name: 'Create key' }).click();
    const form = page.getByRole('dialog', { name: 'Create key' });
    await form.getByLabel('Alias').fill('analyst-app');
    await form.getByLabel('Max budget (USD)').fill('2');
    await form.getByLabel('Budget period').fill('30d');
    await form.getByLabel('Requests per minute').fill('120');
    await form.getByRole('button', { name: 'Create' }).click();
    const shown = page.getByRole('dialog', { name: 'New key' });
    newKey = await shown.getByLabel('Key').inputValue();
    await shown.getByRole('button', { name: 'Copy key' }).click();
    await shown.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(newKey);
    await shoot('new-key');
    await shown.getByRole('button', { name: 'Done' }).click();

    const row = page.locator('tr[data-key-alias="analyst-app"]');
    expect(newKey).toMatch(/^sk-[A-Za-z0-9_-]{43}$/);
    await expect(row.locator('[data-cell="budget"]').textContent()).resolves.toBe('$2.00 / 30d');
    await expect(row.locator('[data-cell="status"]').textContent()).resolves.toBe('active');
    await expect(row.textContent()).resolves.not.toContain(newKey);
  });

  it('shows the spend of requests sent with the OpenAI SDK on the overview charts and in the spend logs, and exports them as CSV', async () => {
    otherKey = ((await (await fetch(`${gateway.url}/key/generate`, { method: 'POST', headers: { authorization: `Bearer ${masterKey}` }, body: '{"key_alias":"other-app"}' })).json()) as { key: string }).key;
    const openai = client(newKey);
    await openai.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'Spend, please, for the overview chart.' }] });
    await openai.chat.completions.create({ model: 'echo-mini', messages: [{ role: 'user', content: 'A cheaper model.' }] });
    const stream = await openai.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'Streamed too.' }], stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) void chunk;
    await client(otherKey).chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'Someone else.' }] });
    const logged = async () => ((await (await fetch(`${gateway.url}/spend/logs`, { headers: { authorization: `Bearer ${masterKey}` } })).json()) as { data: unknown[] }).data.length;
    await expect.poll(logged, { timeout: 5_000 }).toBe(4);

    await goTo('Overview', 'Overview');
    const spendChart = page.locator('#chart-spend-model');
    await spendChart.locator('canvas').first().waitFor();
    const echoSpend = dollars(await spendChart.locator('[data-series="echo"] .series-total').textContent());
    const miniSpend = dollars(await spendChart.locator('[data-series="echo-mini"] .series-total').textContent());
    expect(echoSpend).toBeGreaterThan(0);
    expect(miniSpend).toBeGreaterThan(0);
    expect(echoSpend).toBeGreaterThan(miniSpend);
    await expect(page.locator('[data-stat="requests"]').textContent()).resolves.toBe('4');
    await expect(page.locator('#chart-spend-team [data-series="no team"]').count()).resolves.toBe(1);
    await shoot('overview');

    await goTo('Spend logs', 'Spend logs');
    await page.getByLabel('Key', { exact: true }).selectOption({ label: 'analyst-app' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator('tbody tr[data-request-id]').count()).toBe(3);
    const rowSpend = await page.locator('tbody tr[data-request-id] [data-cell="spend"]').allTextContents();
    expect(rowSpend.map(dollars).every((value) => value > 0)).toBe(true);
    await shoot('spend-logs');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
    expect(csv[0].split(',').slice(0, 5)).toEqual(['request_id', 'created_at', 'key_id', 'key_alias', 'team_id']);
    expect(csv.slice(1).map((line) => line.split(',')[3])).toEqual(['analyst-app', 'analyst-app', 'analyst-app']);
  });

  it('blocks the key, whose next request is refused, and unblocks it', async () => {
    await goTo('Keys', 'Keys');
    await page.getByRole('button', { name: 'Block analyst-app' }).click();
    await page.getByRole('status').filter({ hasText: 'analyst-app blocked' }).waitFor();
    await expect(page.locator('tr[data-key-alias="analyst-app"] [data-cell="status"]').textContent()).resolves.toBe('blocked');

    const refused = await client(newKey).chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'still there?' }] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((refused as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('key_blocked');

    await page.getByRole('button', { name: 'Unblock analyst-app' }).click();
    await page.getByRole('status').filter({ hasText: 'analyst-app unblocked' }).waitFor();
  });

  it('signs in with the virtual key and shows only that key: its budget, spend and its own requests', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(newKey);
    await page.getByRole('heading', { level: 1, name: 'My key' }).waitFor();
    await expect(page.locator('[data-role="key"]').textContent()).resolves.toBe('Virtual key');
    const links = await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link').allTextContents();
    expect(links).toEqual(['My key', 'My usage', 'Spend logs', 'MCP servers', 'Knowledge bases']);
    await expect(page.locator('[data-stat="budget"]').textContent()).resolves.toBe('$2.00');
    const spend = dollars(await page.locator('[data-stat="spend"]').textContent());
    const remaining = dollars(await page.locator('[data-stat="remaining"]').textContent());
    expect(spend).toBeGreaterThan(0);
    expect(remaining).toBeCloseTo(2 - spend, 2);
    await shoot('my-key');

    await goTo('Spend logs', 'Spend logs');
    await expect.poll(() => page.locator('tbody tr[data-request-id]').count()).toBe(3);
    expect(await page.locator('tbody').textContent()).not.toContain('other-app');
    await goTo('My usage', 'My usage');
    await expect(page.locator('[data-stat="requests"]').textContent()).resolves.toBe('3');

    // The key is in this tab's sessionStorage only: not in localStorage, cookies or the URL.
    expect(page.url()).not.toContain(newKey);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await page.context().cookies()).toEqual([]);
  });
});

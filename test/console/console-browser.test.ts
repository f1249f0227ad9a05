/**
 * The web console at /ui in real headless Chromium, against the gateway
 * started as `npm start` starts it, in front of a recorded Bedrock: an
 * administrator creates a key, the key spends through the OpenAI SDK, the
 * spend shows on the overview and in the spend logs, the administrator blocks
 * the key, and the key signs in to see its own usage only. The steps share one
 * gateway and run in order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dollars, failingWord, goTo, masterKey, screenshotFolder, signIn, startConsoleGateway, type ConsoleGateway } from '../support/console-gateway.js';

interface LoggedRow {
  key_alias: string | null;
  model: string;
  spend: number;
  status: number;
}

describe('the web console at /ui, in Chromium', () => {
  let gateway: ConsoleGateway;
  let admin: Page;
  let newKey: string;
  const screenshots = screenshotFolder();
  const shoot = (page: Page, name: string) => page.screenshot({ path: join(screenshots, `${name}.png`) });
  const spendLogs = async () => (await gateway.admin('/spend/logs?limit=100')).data as LoggedRow[];
  const ask = (key: string, model: string, content: string) => gateway.openai(key).chat.completions.create({ model, messages: [{ role: 'user', content }] });

  beforeAll(async () => {
    gateway = await startConsoleGateway();
    admin = await gateway.openConsole();
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('signs in with the master key and creates a key with a budget, shown once with a copy button and listed with its budget', async () => {
    await signIn(admin, masterKey);
    await admin.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await expect(admin.locator('[data-role="master"]').textContent()).resolves.toContain('Administrator');

    await goTo(admin, 'Keys');
    await admin.getByRole('button', { name: 'Create key' }).click();
    const form = admin.getByRole('dialog', { name: 'Create key' });
    await form.getByLabel('Alias').fill('analyst-app');
    await form.getByLabel('Max budget (USD)').fill('2');
    await form.getByLabel('Budget period').fill('30d');
    await form.getByLabel('Requests per minute').fill('120');
    await form.getByLabel('Models').fill('claude-sonnet, claude-haiku');
    await form.getByRole('button', { name: 'Create' }).click();

    const shown = admin.getByRole('dialog', { name: 'New key' });
    newKey = await shown.getByLabel('Key').inputValue();
    expect(newKey).toMatch(/^sk-[A-Za-z0-9_-]{20,}$/);
    await shown.getByRole('button', { name: 'Copy key' }).click();
    await shown.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(newKey);
    await shoot(admin, 'new-key');
    await shown.getByRole('button', { name: 'Done' }).click();

    const row = admin.locator('tr[data-key-alias="analyst-app"]');
    await expect.poll(() => row.locator('[data-cell="budget"]').textContent()).toBe('$2.00 / 30d');
    await expect(row.locator('[data-cell="status"]').textContent()).resolves.toBe('active');
    await expect(row.textContent()).resolves.toContain('120 rpm');
    // Shown once: the listing holds only the key's hint, never the key.
    await expect(row.textContent()).resolves.not.toContain(newKey);
    const stored = (await gateway.admin('/key/list?return_full_object=true')).keys as { key_alias: string; max_budget: number; models: string[] }[];
    expect(stored.find((key) => key.key_alias === 'analyst-app')).toMatchObject({ max_budget: 2, models: ['claude-sonnet', 'claude-haiku'] });
  });

  it('shows the spend of requests sent with the OpenAI SDK on the overview charts and in the spend logs, and exports them as CSV', async () => {
    await gateway.admin('/team/new', { team_id: 'research', team_alias: 'Research', max_budget: 50 });
    const otherKey = (await gateway.admin('/key/generate', { key_alias: 'other-app', team_id: 'research' })).key as string;
    await ask(newKey, 'claude-sonnet', 'How many r are in strawberry?');
    await ask(newKey, 'claude-haiku', 'And in raspberry?');
    const stream = await gateway.openai(newKey).chat.completions.create({
      model: 'claude-sonnet',
      messages: [{ role: 'user', content: 'Streamed, please.' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) void chunk;
    await ask(otherKey, 'claude-sonnet', 'Someone else asks.');
    await expect(ask(otherKey, 'claude-haiku', `Bedrock is ${failingWord} now.`)).rejects.toBeInstanceOf(OpenAI.APIError);
    await expect.poll(async () => (await spendLogs()).length, { timeout: 5_000 }).toBe(5);
    const logged = await spendLogs();
    const spendOf = (model: string) => logged.filter((row) => row.model === model).reduce((sum, row) => sum + row.spend, 0);
    expect(spendOf('claude-sonnet')).toBeGreaterThan(spendOf('claude-haiku'));
    expect(spendOf('claude-haiku')).toBeGreaterThan(0);

    await goTo(admin, 'Overview');
    const spendChart = admin.locator('#chart-spend-model');
    await spendChart.locator('canvas').first().waitFor();
    // The chart's totals are the spend logs' totals, in the console's rounding.
    expect(dollars(await spendChart.locator('[data-series="claude-sonnet"] .series-total').textContent())).toBeCloseTo(spendOf('claude-sonnet'), 5);
    expect(dollars(await spendChart.locator('[data-series="claude-haiku"] .series-total').textContent())).toBeCloseTo(spendOf('claude-haiku'), 5);
    await expect(admin.locator('[data-stat="requests"]').textContent()).resolves.toBe('5');
    await expect(admin.locator('[data-stat="errors"]').textContent()).resolves.toBe('1');
    await expect(admin.locator('#chart-spend-team [data-series]').evaluateAll((items) => items.map((item) => item.getAttribute('data-series')))).resolves.toEqual([
      'no team',
      'research',
    ]);
    await expect(admin.locator('#chart-tokens-model canvas').count()).resolves.toBeGreaterThan(0);
    await expect(admin.locator('#chart-latency [data-series="p50"]').count()).resolves.toBe(1);
    await shoot(admin, 'overview');

    await goTo(admin, 'Spend logs');
    await expect.poll(() => admin.locator('tbody tr[data-request-id]').count()).toBe(5);
    await admin.getByLabel('Key', { exact: true }).selectOption({ label: 'analyst-app' });
    await admin.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => admin.locator('tbody tr[data-request-id]').count()).toBe(3);
    const rowSpend = await admin.locator('tbody tr[data-request-id] [data-cell="spend"]').allTextContents();
    expect(rowSpend.map(dollars).every((value) => value > 0)).toBe(true);
    await shoot(admin, 'spend-logs');

    const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
    expect(csv[0].split(',').slice(0, 6)).toEqual(['request_id', 'created_at', 'key_id', 'key_alias', 'team_id', 'model']);
    expect(csv.slice(1).map((line) => line.split(',')[3])).toEqual(['analyst-app', 'analyst-app', 'analyst-app']);
    expect(csv.slice(1).map((line) => line.split(',')[5]).sort()).toEqual(['claude-haiku', 'claude-sonnet', 'claude-sonnet']);
  });

  it('blocks the key in the console, so that its next request is refused with 401, and unblocks it', async () => {
    await goTo(admin, 'Keys');
    await admin.getByRole('button', { name: 'Block analyst-app' }).click();
    await admin.getByRole('status').filter({ hasText: 'analyst-app blocked' }).waitFor();
    await expect.poll(() => admin.locator('tr[data-key-alias="analyst-app"] [data-cell="status"]').textContent()).toBe('blocked');

    const refused = await ask(newKey, 'claude-sonnet', 'Still there?').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((refused as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('key_blocked');

    await admin.getByRole('button', { name: 'Unblock analyst-app' }).click();
    await expect.poll(() => admin.locator('tr[data-key-alias="analyst-app"] [data-cell="status"]').textContent()).toBe('active');
    await expect(ask(newKey, 'claude-sonnet', 'Back again.')).resolves.toMatchObject({ object: 'chat.completion' });
  });

  it('signs in with the virtual key and shows only that key: its budget, its spend and its own requests, no admin pages', async () => {
    // The request after the unblock is settled and recorded after its answer.
    await expect.poll(async () => (await spendLogs()).filter((row) => row.key_alias === 'analyst-app').length, { timeout: 5_000 }).toBe(4);
    const own = await gateway.openConsole();
    await signIn(own, newKey);
    await own.getByRole('heading', { level: 1, name: 'My key' }).waitFor();
    await expect(own.locator('[data-role="key"]').textContent()).resolves.toBe('Virtual key');
    const links = await own.getByRole('navigation', { name: 'Console pages' }).getByRole('link').allTextContents();
    expect(links).toEqual(['My key', 'My usage', 'Spend logs', 'MCP servers', 'Knowledge bases']);
    await expect(own.locator('[data-stat="budget"]').textContent()).resolves.toBe('$2.00');
    const ownSpend = (await spendLogs()).filter((row) => row.key_alias === 'analyst-app').reduce((sum, row) => sum + row.spend, 0);
    expect(dollars(await own.locator('[data-stat="spend"]').textContent())).toBeCloseTo(ownSpend, 5);
    expect(dollars(await own.locator('[data-stat="remaining"]').textContent())).toBeCloseTo(2 - ownSpend, 2);
    await expect(own.locator('[data-stat="requests"]').textContent()).resolves.toBe('4');
    await shoot(own, 'my-key');

    await goTo(own, 'Spend logs');
    await expect.poll(() => own.locator('tbody tr[data-request-id]').count()).toBe(4);
    await expect(own.locator('tbody').textContent()).resolves.not.toContain('other-app');
    await expect(own.getByLabel('Key', { exact: true }).count()).resolves.toBe(0);
    await goTo(own, 'My usage');
    await expect(own.locator('[data-stat="requests"]').textContent()).resolves.toBe('4');
    await expect(own.locator('[data-stat="errors"]').textContent()).resolves.toBe('0');
    await expect(own.locator('#chart-spend-team').count()).resolves.toBe(0);

    // An admin page named in the URL is not there for a virtual key, and the API refuses it too.
    await own.goto(`${gateway.url}/ui#keys`);
    await own.getByRole('heading', { level: 1, name: 'My key' }).waitFor();
    await expect(own.getByRole('heading', { level: 1, name: 'Keys' }).count()).resolves.toBe(0);
    const listed = await own.evaluate(async (key) => (await fetch('/key/list', { headers: { authorization: `Bearer ${key}` } })).status, newKey);
    expect([401, 403]).toContain(listed);

    // The key is in this tab's sessionStorage only: not in localStorage, a cookie or the URL.
    expect(own.url()).not.toContain(newKey);
    expect(await own.evaluate(() => localStorage.length)).toBe(0);
    expect(await own.context().cookies()).toEqual([]);
    expect(await own.evaluate(() => Object.values(sessionStorage).some((value) => value.includes('sk-')))).toBe(true);
  });
});

/**
 * The console's other administration pages in real headless Chromium, against
 * the gateway started as `npm start` starts it: teams (create, edit, block),
 * a key made in a team and deleted, each model deployment's health and
 * cooldown, the MCP server's reachability and tools, and a knowledge-base
 * search. The steps share one gateway and run in order.
 */
import { join } from 'node:path';
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failingWord, goTo, masterKey, screenshotFolder, signIn, startConsoleGateway, type ConsoleGateway } from '../support/console-gateway.js';

describe('the console pages for teams, models, MCP servers and knowledge bases, in Chromium', () => {
  let gateway: ConsoleGateway;
  let admin: Page;
  const screenshots = screenshotFolder();
  const shoot = (name: string) => admin.screenshot({ path: join(screenshots, `${name}.png`) });
  const teamCell = (team: string, cell: string) => admin.locator(`tr[data-team-id="${team}"] [data-cell="${cell}"]`).textContent();

  beforeAll(async () => {
    gateway = await startConsoleGateway();
    admin = await gateway.openConsole();
    await signIn(admin, masterKey);
    await admin.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('creates, edits and blocks a team, creates a key in it and deletes that key', async () => {
    await goTo(admin, 'Teams');
    await admin.getByRole('button', { name: 'Create team' }).click();
    const create = admin.getByRole('dialog', { name: 'Create team' });
    await create.getByLabel('Team id').fill('platform');
    await create.getByLabel('Team name').fill('Platform');
    await create.getByLabel('Max budget (USD)').fill('100');
    await create.getByLabel('Budget period').fill('30d');
    await create.getByLabel('Tokens per minute').fill('50000');
    await create.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => teamCell('platform', 'budget')).toBe('$100.00 / 30d');

    await admin.getByRole('button', { name: 'Edit team platform' }).click();
    const edit = admin.getByRole('dialog', { name: 'Edit team' });
    await expect(edit.getByLabel('Max budget (USD)').inputValue()).resolves.toBe('100');
    await edit.getByLabel('Max budget (USD)').fill('150');
    await edit.getByRole('button', { name: 'Save team' }).click();
    await expect.poll(() => teamCell('platform', 'budget')).toBe('$150.00 / 30d');
    expect(((await gateway.admin('/team/info?team_id=platform')).team_info as { max_budget: number; tpm_limit: number })).toMatchObject({ max_budget: 150, tpm_limit: 50000 });

    await goTo(admin, 'Keys');
    await admin.getByRole('button', { name: 'Create key' }).click();
    const form = admin.getByRole('dialog', { name: 'Create key' });
    await form.getByLabel('Alias').fill('platform-bot');
    await form.getByLabel('Team').selectOption({ label: 'Platform (platform)' });
    await form.getByRole('button', { name: 'Create' }).click();
    const key = await admin.getByRole('dialog', { name: 'New key' }).getByLabel('Key').inputValue();
    await admin.getByRole('dialog', { name: 'New key' }).getByRole('button', { name: 'Done' }).click();
    await expect(gateway.openai(key).chat.completions.create({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }] })).resolves.toMatchObject({ object: 'chat.completion' });

    await goTo(admin, 'Teams');
    await expect.poll(() => teamCell('platform', 'keys')).toBe('1');
    await expect.poll(() => teamCell('platform', 'spend')).not.toBe('$0');
    await admin.getByRole('button', { name: 'Block team platform' }).click();
    await expect.poll(() => teamCell('platform', 'status')).toBe('blocked');
    const refused = await gateway.openai(key).chat.completions.create({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect([401, 403]).toContain((refused as InstanceType<typeof OpenAI.APIError>).status);
    await admin.getByRole('button', { name: 'Unblock team platform' }).click();
    await expect.poll(() => teamCell('platform', 'status')).toBe('active');

    await goTo(admin, 'Keys');
    await admin.getByRole('button', { name: 'Delete platform-bot' }).click();
    await admin.getByRole('dialog', { name: 'Delete key' }).getByRole('button', { name: 'Delete key' }).click();
    await expect.poll(() => admin.locator('tr[data-key-alias="platform-bot"]').count()).toBe(0);
    await expect(gateway.openai(key).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('shows each deployment healthy or cooling down after failures, with the last hour of requests', async () => {
    const openai = gateway.openai((await gateway.admin('/key/generate', { key_alias: 'models-probe' })).key as string);
    for (let attempt = 0; attempt < 4; attempt += 1) {
      await expect(openai.chat.completions.create({ model: 'claude-haiku', messages: [{ role: 'user', content: `Bedrock is ${failingWord}.` }] })).rejects.toBeInstanceOf(OpenAI.APIError);
    }

    // Usage records are written after the answer: wait for all five (the team test's request and these four).
    await expect.poll(async () => ((await gateway.admin('/spend/logs?limit=100')).data as unknown[]).length, { timeout: 5_000 }).toBe(5);

    await goTo(admin, 'Models');
    const row = (model: string) => admin.locator(`tr[data-model="${model}"]`);
    await expect(row('claude-sonnet').locator('[data-cell="health"]').textContent()).resolves.toBe('healthy');
    await expect(row('claude-haiku').locator('[data-cell="health"]').textContent()).resolves.toBe('cooling down');
    await expect(row('claude-haiku').textContent()).resolves.toContain('us.anthropic.claude-haiku-4-5-20251001-v1:0');
    await expect(row('claude-haiku').locator('[data-cell="cooldown"]').textContent()).resolves.toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    await expect(row('claude-haiku').locator('[data-cell="last-hour"]').textContent()).resolves.toBe('4 / 4');
    await expect(row('claude-sonnet').locator('[data-cell="last-hour"]').textContent()).resolves.toBe('1 / 0');
    await shoot('models');
  });

  it('pages the spend logs by the API cursor', async () => {
    const openai = gateway.openai((await gateway.admin('/key/generate', { key_alias: 'pager' })).key as string);
    await Promise.all(Array.from({ length: 21 }, (_, index) => openai.chat.completions.create({ model: 'claude-sonnet', messages: [{ role: 'user', content: `request ${index}` }] })));
    await expect.poll(async () => ((await gateway.admin('/spend/logs?limit=100')).data as unknown[]).length, { timeout: 5_000 }).toBe(26);

    await goTo(admin, 'Spend logs');
    const rows = admin.locator('tbody tr[data-request-id]');
    await expect.poll(() => rows.count()).toBe(25);
    const firstPage = await rows.evaluateAll((items) => items.map((item) => item.getAttribute('data-request-id')));
    await admin.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(firstPage).not.toContain(await rows.first().getAttribute('data-request-id'));
    await expect(admin.getByRole('button', { name: 'Next page' }).isDisabled()).resolves.toBe(true);
    await admin.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(() => rows.count()).toBe(25);
  });

  it('works from the keyboard: sign-in, navigation and a dialog that Escape closes', async () => {
    const page = await gateway.openConsole();
    await page.getByLabel('API key').focus();
    await page.keyboard.type(masterKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();

    await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link', { name: 'Keys' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Keys' }).waitFor();
    const create = page.getByRole('button', { name: 'Create key' });
    await create.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Create key' });
    await dialog.waitFor();
    // Focus moves into the modal dialog, and Escape closes it, handing focus back.
    await expect(dialog.evaluate((element) => element.contains(document.activeElement))).resolves.toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect(create.evaluate((element) => element === document.activeElement)).resolves.toBe(true);
    await page.close();
  });

  it('shows the MCP server reachable with its tools', async () => {
    await goTo(admin, 'MCP servers');
    const card = admin.locator('article[data-server="everything"]');
    await card.getByText('reachable', { exact: true }).waitFor();
    await card.locator('summary').click();
    const tools = await card.locator('li code').allTextContents();
    expect(tools).toContain('echo');
    expect(tools.length).toBeGreaterThan(3);
    await shoot('mcp-servers');
  });

  it('searches a knowledge base from the search box and lists the passages found', async () => {
    await goTo(admin, 'Knowledge bases');
    const search = admin.getByRole('search', { name: 'Search a knowledge base' });
    await search.getByLabel('Search').fill('budget duration reset');
    await search.getByLabel('Search').press('Enter');
    const results = admin.getByRole('region', { name: /results$/ });
    await results.waitFor();
    const names = await results.locator('li strong').allTextContents();
    expect(names.length).toBeGreaterThan(0);
    expect(names[0]).toMatch(/budget/i);
    await expect(results.locator('blockquote').first().textContent()).resolves.toMatch(/budget/i);
    await shoot('knowledge-search');
  });
});

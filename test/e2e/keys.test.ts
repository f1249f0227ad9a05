import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { admin, generateKey, masterKey, openaiClient, startTestGateway } from '../support/gateway.js';

describe('virtual keys: /key/* admin routes', () => {
  let gateway: LocalGateway;
  let dynamo: DynamoDBClient;

  beforeAll(async () => {
    gateway = await startTestGateway('models:\n  - name: echo\n    provider: echo\n  - name: echo-2\n    provider: echo\n');
    dynamo = new DynamoDBClient({ endpoint: gateway.dynamoEndpoint, region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  });

  afterAll(async () => {
    dynamo?.destroy();
    await gateway?.close();
  });

  it('generates a key with LiteLLM fields and shows it only once', async () => {
    const { status, body } = await admin(gateway, 'POST', '/key/generate', {
      key_alias: 'billing-service',
      models: ['echo'],
      duration: '30d',
      metadata: { owner: 'billing' },
    });

    expect(status).toBe(200);
    expect(body.key).toMatch(/^sk-[A-Za-z0-9_-]{43}$/);
    expect(body.key_id).toBe(createHash('sha256').update(body.key).digest('hex'));
    expect(body).toMatchObject({ key_alias: 'billing-service', models: ['echo'], metadata: { owner: 'billing' }, blocked: false });
    const days = (Date.parse(body.expires) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);

    const info = await admin(gateway, 'GET', `/key/info?key=${encodeURIComponent(body.key)}`);
    expect(info.body.info).not.toHaveProperty('key');
    expect(info.body.info.key_name).toBe(`sk-...${body.key.slice(-4)}`);
  });

  it('stores keys only as SHA-256 hashes', async () => {
    const key = await generateKey(gateway, { key_alias: 'hash-check' });

    const { Items } = await dynamo.send(new ScanCommand({ TableName: gateway.tableNames.keys }));

    const stored = JSON.stringify(Items);
    expect(stored).not.toContain(key);
    expect(stored).not.toContain(key.slice(3));
    expect(stored).toContain(createHash('sha256').update(key).digest('hex'));
  });

  it('reads a key by its value or its key_id', async () => {
    const key = await generateKey(gateway, { key_alias: 'lookup' });
    const keyId = createHash('sha256').update(key).digest('hex');

    const byValue = await admin(gateway, 'GET', `/key/info?key=${key}`);
    const byId = await admin(gateway, 'GET', `/key/info?key=${keyId}`);

    expect(byValue.body).toEqual(byId.body);
    expect(byValue.body.key).toBe(keyId);
  });

  it('updates the models allowlist and blocks a key, effective at once', async () => {
    const key = await generateKey(gateway, { key_alias: 'to-update' });
    const client = openaiClient(gateway, key);
    await expect(client.chat.completions.create({ model: 'echo-2', messages: [{ role: 'user', content: 'x' }] })).resolves.toBeDefined();

    const updated = await admin(gateway, 'POST', '/key/update', { key, models: ['echo'], metadata: { reason: 'narrowed' } });
    expect(updated.body).toMatchObject({ models: ['echo'], metadata: { reason: 'narrowed' }, key_alias: 'to-update' });
    const forbidden = await client.chat.completions.create({ model: 'echo-2', messages: [{ role: 'user', content: 'x' }] }).catch((caught) => caught);
    expect(forbidden.status).toBe(403);

    await admin(gateway, 'POST', '/key/update', { key, blocked: true });
    const blocked = await client.models.list().catch((caught) => caught);
    expect(blocked.status).toBe(401);

    await admin(gateway, 'POST', '/key/update', { key, blocked: false });
    await expect(client.models.list()).resolves.toBeDefined();
  });

  it('lists keys as ids by default and as objects on request, filtered and paged', async () => {
    await admin(gateway, 'POST', '/team/new', { team_id: 'team-list' });
    await generateKey(gateway, { key_alias: 'listed', team_id: 'team-list' });
    await generateKey(gateway, { key_alias: 'listed-2', team_id: 'team-list' });

    const ids = await admin(gateway, 'GET', '/key/list?team_id=team-list');
    expect(ids.body.keys).toHaveLength(2);
    expect(ids.body.keys.every((id: string) => /^[0-9a-f]{64}$/.test(id))).toBe(true);
    expect(ids.body.total_count).toBe(2);

    const page = await admin(gateway, 'GET', '/key/list?team_id=team-list&return_full_object=true&size=1&page=2');
    expect(page.body).toMatchObject({ total_count: 2, current_page: 2, total_pages: 2 });
    expect(page.body.keys).toEqual([expect.objectContaining({ key_alias: 'listed-2', team_id: 'team-list' })]);
  });

  it('deletes keys by value and by alias; a deleted key gets 401', async () => {
    const byValue = await generateKey(gateway, { key_alias: 'delete-me' });
    const byAlias = await generateKey(gateway, { key_alias: 'delete-me-too' });

    const first = await admin(gateway, 'POST', '/key/delete', { keys: [byValue] });
    const second = await admin(gateway, 'POST', '/key/delete', { key_aliases: ['delete-me-too'] });

    expect(first.body.deleted_keys).toEqual([createHash('sha256').update(byValue).digest('hex')]);
    expect(second.body.deleted_keys).toHaveLength(1);
    for (const key of [byValue, byAlias]) expect((await openaiClient(gateway, key).models.list().catch((caught) => caught)).status).toBe(401);
    expect((await admin(gateway, 'POST', '/key/delete', { keys: [byValue] })).status).toBe(404);
  });

  it('refuses admin routes without the master key', async () => {
    const virtualKey = await generateKey(gateway);
    for (const authorization of [undefined, `Bearer ${virtualKey}`, `Bearer ${masterKey}x`]) {
      const response = await fetch(`${gateway.url}/key/list`, { headers: authorization ? { authorization } : {} });
      expect(response.status).toBe(401);
      expect((await response.json()).error.type).toBe('authentication_error');
    }
  });

  it('rejects bad settings with 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ models: 'echo' }, 'models'],
      [{ max_budget: -1 }, 'max_budget'],
      [{ budget_duration: 'monthly' }, 'budget_duration'],
      [{ expires: 'tomorrow' }, 'expires'],
      [{ key: 'not-a-key' }, 'key'],
      [{ team_id: 'no-such-team' }, 'team_id'],
    ];
    for (const [body, param] of cases) {
      const { status, body: error } = await admin(gateway, 'POST', '/key/generate', body);
      expect(status).toBe(400);
      expect(error.error.param).toBe(param);
    }
    expect((await admin(gateway, 'POST', '/key/update', { key: 'sk-unknown', blocked: true })).status).toBe(404);
    expect((await admin(gateway, 'GET', '/key/info')).status).toBe(400);
  });

  it('answers /health without a key', async () => {
    const response = await fetch(`${gateway.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { admin, generateKey, masterKey, openaiClient, startTestGateway } from '../support/gateway.js';

const knowledgeFolder = fileURLToPath(new URL('../../knowledge', import.meta.url));
const keyIdOf = (key: string) => createHash('sha256').update(key).digest('hex');

/** A GET with the given bearer, the body parsed. */
const getAs = async (gateway: LocalGateway, key: string, path: string) => {
  const response = await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};

describe('self-service reads for a virtual key, everything for the master key', () => {
  let gateway: LocalGateway;
  let own: string;
  let other: string;

  beforeAll(async () => {
    gateway = await startTestGateway(
      [
        'models:',
        '  - name: echo',
        '    provider: echo',
        '    price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }',
        'mcp_servers:',
        '  - name: offline',
        '    url: http://127.0.0.1:9/mcp?token=hidden',
        'knowledge_bases:',
        '  - name: docs',
        '    provider: local',
        `    path: ${knowledgeFolder}`,
      ].join('\n'),
    );
    own = await generateKey(gateway, { key_alias: 'own', max_budget: 5, rpm_limit: 60 });
    other = await generateKey(gateway, { key_alias: 'other', mcp_servers: ['none-of-them'] });
    await openaiClient(gateway, own).chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'mine' }] });
    await openaiClient(gateway, other).chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'theirs' }] });
    await gateway.settled();
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('answers GET /key/info about the key that calls it, with its budget, spend and limits', async () => {
    const { status, body } = await getAs(gateway, own, '/key/info');

    expect(status).toBe(200);
    expect(body.key).toBe(keyIdOf(own));
    expect(body.info).toMatchObject({ key_alias: 'own', max_budget: 5, rpm_limit: 60, period_requests: 1 });
    expect(body.info.spend).toBeGreaterThan(0);
    expect(body.info.remaining_budget).toBeCloseTo(5 - body.info.spend, 9);
    expect(JSON.stringify(body)).not.toContain(own);
  });

  it('lets a virtual key name itself on /key/info, and refuses another key with 403 not_own_key', async () => {
    const byItself = await getAs(gateway, own, `/key/info?key=${encodeURIComponent(own)}`);
    const byId = await getAs(gateway, own, `/key/info?key=${keyIdOf(own)}`);
    const another = await getAs(gateway, own, `/key/info?key=${keyIdOf(other)}`);

    expect(byItself.status).toBe(200);
    expect(byId.body).toEqual(byItself.body);
    expect(another.status).toBe(403);
    expect(another.body.error).toMatchObject({ type: 'permission_error', code: 'not_own_key', param: 'key' });
  });

  it('scopes /spend/logs to the calling key: its own rows only, another key refused', async () => {
    const mine = await getAs(gateway, own, '/spend/logs');
    const theirs = await getAs(gateway, own, `/spend/logs?key_id=${keyIdOf(other)}`);
    const everything = await getAs(gateway, masterKey, '/spend/logs');

    expect(mine.status).toBe(200);
    expect(mine.body.data.map((row: any) => row.key_alias)).toEqual(['own']);
    expect(theirs.status).toBe(403);
    expect(theirs.body.error.code).toBe('not_own_key');
    expect(everything.body.data.map((row: any) => row.key_alias).sort()).toEqual(['other', 'own']);
  });

  it('keeps admin writes and listings master-only', async () => {
    const list = await getAs(gateway, own, '/key/list');
    const update = await fetch(`${gateway.url}/key/update`, {
      method: 'POST',
      headers: { authorization: `Bearer ${own}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key: own, max_budget: 1000 }),
    });
    const models = await getAs(gateway, own, '/model/info');

    expect(list.status).toBe(401);
    expect(update.status).toBe(401);
    expect(((await update.json()) as any).error.type).toBe('authentication_error');
    expect(models.status).toBe(401);
    expect((await admin(gateway, 'GET', `/key/info?key=${keyIdOf(own)}`)).body.info.max_budget).toBe(5);
  });

  it('shows the master key each deployment with its cooldown state and the last hour of requests', async () => {
    const { status, body } = await getAs(gateway, masterKey, '/model/info');

    expect(status).toBe(200);
    expect(body.data).toHaveLength(1);
    expect(body.data[0]).toMatchObject({ model_name: 'echo', provider: 'echo', health: 'healthy', cooldown_until: null, recent_failures: 0 });
    expect(body.data[0].last_hour).toMatchObject({ requests: 2, errors: 0 });
    expect(body.cooldown.allowed_fails).toBeGreaterThan(0);
  });

  it('reports MCP server reachability to the master key and to keys allowed the server, without the URL query', async () => {
    const asMaster = await getAs(gateway, masterKey, '/v1/mcp/servers');
    const asOwn = await getAs(gateway, own, '/v1/mcp/servers');
    const asOther = await getAs(gateway, other, '/v1/mcp/servers');

    expect(asMaster.status).toBe(200);
    expect(asMaster.body.data).toEqual([expect.objectContaining({ name: 'offline', url: 'http://127.0.0.1:9/mcp', reachable: false, tools: [] })]);
    expect(asMaster.body.data[0].error).toMatch(/offline/);
    expect(asOwn.body.data.map((server: any) => server.name)).toEqual(['offline']);
    expect(asOther.body.data).toEqual([]);
  });

  it('lets the master key list and search the knowledge bases', async () => {
    const stores = await getAs(gateway, masterKey, '/v1/vector_stores');
    const search = await fetch(`${gateway.url}/v1/vector_stores/docs/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'budget', max_num_results: 2 }),
    });
    const results = (await search.json()) as any;

    expect(stores.body.data.map((store: any) => store.id)).toEqual(['docs']);
    expect(search.status).toBe(200);
    expect(results.data.length).toBeGreaterThan(0);
    expect(results.data.length).toBeLessThanOrEqual(2);
  });

  it('deletes a team no key belongs to, and refuses one with keys (409 team_has_keys)', async () => {
    await admin(gateway, 'POST', '/team/new', { team_id: 'busy' });
    await admin(gateway, 'POST', '/team/new', { team_id: 'empty' });
    await generateKey(gateway, { team_id: 'busy' });

    const refused = await admin(gateway, 'POST', '/team/delete', { team_ids: ['busy'] });
    const deleted = await admin(gateway, 'POST', '/team/delete', { team_ids: ['empty'] });
    const again = await admin(gateway, 'POST', '/team/delete', { team_ids: ['empty'] });
    const teams = await admin(gateway, 'GET', '/team/list');

    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('team_has_keys');
    expect(deleted.body).toEqual({ deleted_teams: ['empty'] });
    expect(again.status).toBe(404);
    expect(teams.body.teams.map((team: any) => team.team_id)).toEqual(['busy']);
  });

  it('refuses a near miss of the master key on the shared routes with 401', async () => {
    const answer = await getAs(gateway, `${masterKey}x`, '/spend/logs');

    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe('invalid_api_key');
  });
});

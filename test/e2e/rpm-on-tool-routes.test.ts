import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { generateKey, startTestGateway } from '../support/gateway.js';

describe('rpm_limit on the MCP and retrieval routes', () => {
  let gateway: LocalGateway;

  beforeAll(async () => {
    gateway = await startTestGateway(`
models:
  - name: echo
    provider: echo
knowledge_bases:
  - name: docs
    provider: local
    path: ./knowledge
`);
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const call = (key: string, path: string, body: unknown) =>
    fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(body),
    });

  it.each([
    { route: 'POST /mcp', path: '/mcp', body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} } },
    { route: 'POST /v1/mcp/tools/call', path: '/v1/mcp/tools/call', body: { name: 'knowledge_base__search', arguments: { knowledge_base: 'docs', query: 'budgets' } } },
    { route: 'POST /v1/vector_stores/{id}/search', path: '/v1/vector_stores/docs/search', body: { query: 'budgets' } },
  ])('counts $route against the key’s rpm_limit, answering 429 with Retry-After past it', async ({ path, body }) => {
    // Prepare
    const key = await generateKey(gateway, { rpm_limit: 3 });

    // Act
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let index = 0; index < 5; index += 1) {
      const response = await call(key, path, body);
      statuses.push(response.status);
      if (response.status === 429) refused ??= response;
      else await response.text();
    }

    // Assess
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(refused?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused?.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
  });

  it('leaves keys without an rpm_limit alone', async () => {
    const key = await generateKey(gateway);
    const statuses = await Promise.all(Array.from({ length: 6 }, async () => (await call(key, '/v1/vector_stores/docs/search', { query: 'budgets' })).status));
    expect(statuses.every((status) => status === 200)).toBe(true);
  });
});

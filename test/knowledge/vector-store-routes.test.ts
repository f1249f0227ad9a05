import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { generateKey, openaiClient, startTestGateway } from '../support/gateway.js';

const shippedDocuments = new URL('../../knowledge', import.meta.url).pathname;

const configYaml = `
models:
  - name: echo
    provider: echo
knowledge_bases:
  - name: docs
    provider: local
    path: ${JSON.stringify(shippedDocuments)}
    description: Tollway documentation
  - name: reference
    provider: local
    path: ${JSON.stringify(`${shippedDocuments}/reference`)}
`;

describe('vector-store routes over local knowledge bases', () => {
  let gateway: LocalGateway;
  let docsKey: string;
  let everythingKey: string;
  let referenceKey: string;

  beforeAll(async () => {
    gateway = await startTestGateway(configYaml);
    [docsKey, everythingKey, referenceKey] = await Promise.all([
      generateKey(gateway, { knowledge_bases: ['docs'] }),
      generateKey(gateway, {}),
      generateKey(gateway, { knowledge_bases: ['reference'] }),
    ]);
  });

  afterAll(async () => {
    await gateway?.close();
  });

  const rawSearch = async (key: string, id: string, body: unknown) => {
    const response = await fetch(`${gateway.url}/v1/vector_stores/${id}/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  describe('search', () => {
    it('answers the OpenAI SDK with ranked passages from the shipped documents', async () => {
      const client = openaiClient(gateway, docsKey);

      const page = await client.vectorStores.search('docs', { query: 'reserve the worst-case cost before calling the model', max_num_results: 3 });

      expect(page.data).toHaveLength(3);
      expect(page.data[0]).toMatchObject({
        file_id: 'budgets-and-rate-limits.md',
        filename: 'budgets-and-rate-limits.md',
        attributes: { path: 'budgets-and-rate-limits.md', title: 'Budgets and rate limits', heading: 'How overspending is prevented', extension: 'md' },
      });
      expect(page.data[0].content[0].type).toBe('text');
      expect(page.data[0].content[0].text).toContain('worst-case cost');
      const scores = page.data.map((result) => result.score);
      expect(scores[0]).toBeLessThanOrEqual(1);
      expect([...scores].sort((left, right) => right - left)).toEqual(scores);
    });

    it('answers in the OpenAI page shape, echoing the queries', async () => {
      const { status, body } = await rawSearch(docsKey, 'docs', { query: ['lambda response streaming', 'time to first byte'], max_num_results: 2 });

      expect(status).toBe(200);
      expect(body).toMatchObject({
        object: 'vector_store.search_results.page',
        search_query: ['lambda response streaming', 'time to first byte'],
        has_more: false,
        next_page: null,
      });
      expect((body.data as Array<{ file_id: string }>)[0].file_id).toBe('reference/aws-lambda-response-streaming.html');
    });

    it('filters on attributes and drops results under score_threshold', async () => {
      const client = openaiClient(gateway, docsKey);

      const onlyText = await client.vectorStores.search('docs', {
        query: 'usage records and errors',
        filters: { type: 'eq', key: 'extension', value: 'txt' },
      });
      const compound = await client.vectorStores.search('docs', {
        query: 'streaming',
        filters: {
          type: 'and',
          filters: [
            { type: 'ne', key: 'extension', value: 'md' },
            { type: 'eq', key: 'title', value: 'AWS Lambda response streaming' },
          ],
        },
      });
      const confident = await client.vectorStores.search('docs', { query: 'budget period soft limit', ranking_options: { score_threshold: 0.5 } });

      expect(onlyText.data.length).toBeGreaterThan(0);
      expect(onlyText.data.every((result) => result.attributes?.extension === 'txt')).toBe(true);
      expect(new Set(compound.data.map((result) => result.filename))).toEqual(new Set(['aws-lambda-response-streaming.html']));
      expect(confident.data.length).toBeGreaterThan(0);
      expect(confident.data.every((result) => result.score >= 0.5)).toBe(true);
    });

    it('answers 403 knowledge_base_not_allowed for a knowledge base the key may not use', async () => {
      const client = openaiClient(gateway, referenceKey);

      const failure = await client.vectorStores.search('docs', { query: 'budgets' }).then(
        () => undefined,
        (error: unknown) => error,
      );

      expect(failure).toBeInstanceOf(OpenAI.PermissionDeniedError);
      expect(failure).toMatchObject({ status: 403, code: 'knowledge_base_not_allowed' });
    });

    it('answers 404 for an unknown vector store', async () => {
      const { status, body } = await rawSearch(everythingKey, 'handbook', { query: 'budgets' });

      expect(status).toBe(404);
      expect(body).toMatchObject({ error: { type: 'not_found_error', code: 'knowledge_base_not_found' } });
    });

    it('answers 400 naming the field for a bad body', async () => {
      const cases: Array<[unknown, string]> = [
        [{}, 'query'],
        [{ query: '   ' }, 'query'],
        [{ query: 'x', max_num_results: 0 }, 'max_num_results'],
        [{ query: 'x', max_num_results: 51 }, 'max_num_results'],
        [{ query: 'x', filters: { type: 'like', key: 'path', value: 'x' } }, 'filters'],
        [{ query: 'x', ranking_options: { score_threshold: 2 } }, 'ranking_options.score_threshold'],
      ];
      for (const [body, param] of cases) {
        const response = await rawSearch(docsKey, 'docs', body);

        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body, JSON.stringify(body)).toMatchObject({ error: { type: 'invalid_request_error', param } });
      }
    });

    it('answers 401 without a key', async () => {
      const response = await fetch(`${gateway.url}/v1/vector_stores/docs/search`, { method: 'POST', body: '{"query":"x"}' });

      expect(response.status).toBe(401);
    });
  });

  describe('list', () => {
    it('lists the knowledge bases the key may use, as vector stores', async () => {
      const all = await openaiClient(gateway, everythingKey).vectorStores.list();
      const limited = await openaiClient(gateway, docsKey).vectorStores.list();

      expect(all.data.map((store) => store.id)).toEqual(['docs', 'reference']);
      expect(all.data[0]).toMatchObject({
        id: 'docs',
        object: 'vector_store',
        name: 'docs',
        status: 'completed',
        description: 'Tollway documentation',
        metadata: { provider: 'local' },
      });
      expect(limited.data.map((store) => store.id)).toEqual(['docs']);
    });

    it('ends pagination after one page', async () => {
      const ids: string[] = [];
      for await (const store of openaiClient(gateway, everythingKey).vectorStores.list()) ids.push(store.id);

      expect(ids).toEqual(['docs', 'reference']);
    });
  });
});

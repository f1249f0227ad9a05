import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { sendJson, startFakeUpstream, type FakeUpstream } from '../support/fake-openai-upstream.js';
import { admin, generateKey, openaiClient, startTestGateway } from '../support/gateway.js';

describe('POST /v1/embeddings through the local server', () => {
  let upstream: FakeUpstream;
  let gateway: LocalGateway;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startFakeUpstream((request, response) =>
      sendJson(response, 200, {
        object: 'list',
        model: 'text-embedding-3-small',
        // out of order on purpose: the gateway sorts by index
        data: [...request.body.input.keys()].reverse().map((index: number) => ({ object: 'embedding', index, embedding: [index, index + 0.5, 1] })),
        usage: { prompt_tokens: 7 * request.body.input.length, total_tokens: 7 * request.body.input.length },
      }),
    );
    gateway = await startTestGateway(`
models:
  - name: echo
    provider: echo
  - name: local-embed
    provider: echo
    mode: embedding
    price: { input_per_mtok: 100, output_per_mtok: 0 }
  - name: remote-embed
    provider: openai-compatible
    mode: embedding
    base_url: ${upstream.baseUrl}
    model: text-embedding-3-small
    price: { input_per_mtok: 20, output_per_mtok: 0 }
`);
    client = openaiClient(gateway, await generateKey(gateway, { key_alias: 'embedder' }));
  });

  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  it('embeds a batch with the echo embeddings model: one normalised vector per input, usage and cost', async () => {
    const { data: result, response } = await client.embeddings
      .create({ model: 'local-embed', input: ['the cat sat', 'the cat sat', 'a dog ran'], dimensions: 64, encoding_format: 'float' })
      .withResponse();

    expect(result.data).toHaveLength(3);
    expect(result.data.map((item) => item.index)).toEqual([0, 1, 2]);
    expect(result.data[0].embedding).toHaveLength(64);
    expect(result.data[0].embedding).toEqual(result.data[1].embedding);
    expect(result.data[0].embedding).not.toEqual(result.data[2].embedding);
    const norm = Math.hypot(...result.data[2].embedding);
    expect(norm).toBeCloseTo(1, 5);
    expect(result.usage.prompt_tokens).toBeGreaterThan(0);
    expect(Number(response.headers.get('x-tollway-cost-usd'))).toBeCloseTo((result.usage.prompt_tokens * 100) / 1e6, 12);
  });

  it('decodes base64 embeddings as the SDK does by default', async () => {
    const result = await client.embeddings.create({ model: 'local-embed', input: 'hello', dimensions: 8 });
    expect(result.data[0].embedding).toHaveLength(8);
    expect(Math.hypot(...result.data[0].embedding)).toBeCloseTo(1, 5);
  });

  it('relays an OpenAI-compatible upstream in input order and records the usage', async () => {
    const result = await client.embeddings.create({ model: 'remote-embed', input: ['a', 'b', 'c'], encoding_format: 'float' });

    expect(result.data.map((item) => item.embedding[0])).toEqual([0, 1, 2]);
    expect(result.usage).toMatchObject({ prompt_tokens: 21, total_tokens: 21 });
    expect(upstream.received).toHaveLength(1);
    await gateway.settled();
    const logs = (await admin(gateway, 'GET', '/spend/logs?key_alias=embedder&model=remote-embed')).body;
    const record = logs.data.find((entry: { model: string }) => entry.model === 'remote-embed');
    expect(record).toMatchObject({ input_tokens: 21, completion_tokens: 0, deployment: 'text-embedding-3-small' });
    expect(record.spend).toBeCloseTo((21 * 20) / 1e6, 12);
  });

  it('answers 400 for token arrays and chat models, 404 for unknown models', async () => {
    const tokens = await client.embeddings.create({ model: 'local-embed', input: [1, 2, 3] }).catch((error) => error);
    expect(tokens.status).toBe(400);
    expect(tokens.message).toContain('Token arrays');
    const chat = await client.embeddings.create({ model: 'echo', input: 'x' }).catch((error) => error);
    expect(chat.status).toBe(400);
    const unknown = await client.embeddings.create({ model: 'nope', input: 'x' }).catch((error) => error);
    expect(unknown.status).toBe(404);
    const empty = await client.embeddings.create({ model: 'local-embed', input: '' }).catch((error) => error);
    expect(empty.status).toBe(400);
  });

  it('says a chat completion on an embeddings model is the wrong route', async () => {
    const error = await client.chat.completions.create({ model: 'local-embed', messages: [{ role: 'user', content: 'x' }] }).catch((caught) => caught);
    expect(error.status).toBe(400);
    expect(error.message).toContain('/v1/embeddings');
  });
});

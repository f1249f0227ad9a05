import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../functions/core/errors.js';
import { createOpenAIEmbeddingModel, OpenAIEmbeddingModel } from '../../../functions/providers/openai-compatible/embeddings/index.js';
import { rejectionOf, sendJson, startTestUpstream, type TestUpstream } from '../openai-compatible/test-upstream.js';
import { embeddingEntry } from './embedding-test-helpers.js';

interface EmbeddingsRequestBody {
  model: string;
  input: string[];
  dimensions?: number;
  encoding_format: string;
}

/** Answers like OpenAI, but lists the vectors in reverse so the client has to sort them by index. */
const answerReversed = (body: EmbeddingsRequestBody) => ({
  object: 'list',
  model: body.model,
  data: body.input.map((text, index) => ({ object: 'embedding', index, embedding: [text.length, index] })).reverse(),
  usage: { prompt_tokens: body.input.length * 2, total_tokens: body.input.length * 2 },
});

/** A port nothing listens on: a server that was opened and closed again. */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

const resolveSecret = async (value: string) => value.replace(/^env:/, 'resolved-');

describe('OpenAI-compatible embeddings', () => {
  let upstream: TestUpstream;

  beforeAll(async () => {
    upstream = await startTestUpstream();
  });
  afterAll(() => upstream.close());

  const answerEmbeddings = () =>
    upstream.handle((request, response) => sendJson(response, 200, answerReversed(JSON.parse(request.body) as EmbeddingsRequestBody)));

  it('posts floats-wanted requests with the bearer key and dimensions, and returns vectors in input order with usage', async () => {
    // Prepare
    answerEmbeddings();
    const model = createOpenAIEmbeddingModel(
      embeddingEntry('openai-compatible', { base_url: `${upstream.baseUrl}/`, api_key: 'env:EMBED_KEY' }),
      { resolveSecret },
    );

    // Act
    const result = await model.embed(['a', 'bb', 'ccc'], { dimensions: 256 });

    // Assess
    const received = upstream.requests.at(-1);
    expect(received?.path).toBe('/v1/embeddings');
    expect(received?.headers.authorization).toBe('Bearer resolved-EMBED_KEY');
    expect(upstream.lastBody()).toStrictEqual({ model: 'text-embedding-3-small', input: ['a', 'bb', 'ccc'], dimensions: 256, encoding_format: 'float' });
    expect(result).toStrictEqual({
      embeddings: [
        [1, 0],
        [2, 1],
        [3, 2],
      ],
      usage: { inputTokens: 6 },
    });
  });

  it('sends batches of at most 2048 inputs, one after another', async () => {
    answerEmbeddings();
    const model = createOpenAIEmbeddingModel(embeddingEntry('openai-compatible', { base_url: upstream.baseUrl }), { resolveSecret });
    const before = upstream.requests.length;
    const inputs = Array.from({ length: 2049 }, (_, index) => 'x'.repeat((index % 5) + 1));

    const result = await model.embed(inputs);

    const batches = upstream.requests.slice(before).map((request) => (JSON.parse(request.body) as EmbeddingsRequestBody).input.length);
    expect(batches).toStrictEqual([2048, 1]);
    expect(result.embeddings.map((vector) => vector[0])).toStrictEqual(inputs.map((text) => text.length));
    expect(result.usage.inputTokens).toBe(2049 * 2);
  });

  it('splits by a smaller batch size when given one', async () => {
    answerEmbeddings();
    const model = new OpenAIEmbeddingModel({ provider: 'openai-compatible', modelId: 'nomic', embeddingsUrl: `${upstream.baseUrl}/embeddings`, maxBatchSize: 2 });

    const result = await model.embed(['a', 'bb', 'ccc', 'dddd', 'eeeee']);

    expect(result.embeddings.map((vector) => vector[0])).toStrictEqual([1, 2, 3, 4, 5]);
    expect(upstream.requests.slice(-3).map((request) => (JSON.parse(request.body) as EmbeddingsRequestBody).input)).toStrictEqual([
      ['a', 'bb'],
      ['ccc', 'dddd'],
      ['eeeee'],
    ]);
  });

  it('estimates usage when a server reports none', async () => {
    upstream.handle((_request, response) => sendJson(response, 200, { data: [{ index: 0, embedding: [0.1] }] }));
    const model = createOpenAIEmbeddingModel(embeddingEntry('openai-compatible', { base_url: upstream.baseUrl }), { resolveSecret });

    const result = await model.embed(['twelve chars']);

    expect(result.usage).toStrictEqual({ inputTokens: 3 });
  });

  it('talks to an Azure deployment with its api-version and api-key header', async () => {
    answerEmbeddings();
    const model = createOpenAIEmbeddingModel(
      embeddingEntry('azure-openai', { base_url: upstream.baseUrl.replace(/\/v1$/, ''), model: 'embed-prod', api_key: 'env:AZURE_KEY', api_version: '2024-10-21' }),
      { resolveSecret },
    );

    await model.embed(['a']);

    const received = upstream.requests.at(-1);
    expect(received?.path).toBe('/openai/deployments/embed-prod/embeddings?api-version=2024-10-21');
    expect(received?.headers['api-key']).toBe('resolved-AZURE_KEY');
    expect(received?.headers.authorization).toBeUndefined();
    expect(model).toMatchObject({ provider: 'azure-openai', modelId: 'embed-prod' });
  });

  describe('errors', () => {
    const model = () => createOpenAIEmbeddingModel(embeddingEntry('openai-compatible', { base_url: upstream.baseUrl }), { resolveSecret });

    it('maps a 429 with Retry-After and a 400 as OpenAI errors', async () => {
      upstream.handle((_request, response) => sendJson(response, 429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }, { 'retry-after': '2' }));
      const limited = await rejectionOf(model().embed(['a']));
      upstream.handle((_request, response) =>
        sendJson(response, 400, { error: { message: "This model's maximum context length is 8192 tokens", type: 'invalid_request_error', code: null, param: 'input' } }),
      );
      const invalid = await rejectionOf(model().embed(['a']));

      expect(limited).toMatchObject({ status: 429, retryable: true, retryAfterSeconds: 2 });
      expect(invalid).toMatchObject({ status: 400, param: 'input', retryable: false });
    });

    it.each([
      ['not JSON', 'garbage'],
      ['not an embeddings list', '{"object":"list","data":"nope"}'],
      ['fewer vectors than inputs', '{"data":[{"index":0,"embedding":[0.1]}]}'],
      ['duplicate indexes', '{"data":[{"index":0,"embedding":[0.1]},{"index":0,"embedding":[0.2]}]}'],
    ])('reports a 200 with %s as a retryable 502', async (_case, body) => {
      upstream.handle((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(body);
      });

      const error = await rejectionOf(model().embed(['a', 'b']));

      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ status: 502, code: 'upstream_invalid_response', retryable: true });
    });

    it('reports a refused connection as a retryable 502', async () => {
      const unreachable = createOpenAIEmbeddingModel(embeddingEntry('openai-compatible', { base_url: `http://127.0.0.1:${await closedPort()}/v1` }), { resolveSecret });

      const error = await rejectionOf(unreachable.embed(['a']));

      expect(error).toMatchObject({ status: 502, code: 'upstream_unreachable', retryable: true });
    });
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { GatewayError, UpstreamError } from '../../../functions/core/errors.js';
import {
  CohereEmbeddingModel,
  createBedrockEmbeddingModel,
  TitanEmbeddingModel,
} from '../../../functions/providers/bedrock/embeddings/index.js';
import { stopLocalBedrocks } from '../../support/local-bedrock.js';
import { bedrockException, delay, embeddingEntry, invokeClientAnswering } from './embedding-test-helpers.js';

const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => promise.then(
  () => {
    throw new Error('expected the promise to reject');
  },
  (error: unknown) => error,
);

/** Titan's answer for a text: a vector that encodes which text it was, and a token count. */
const titanAnswer = (body: Record<string, unknown>) => {
  const text = String(body.inputText);
  return { embedding: [Number(text.replace('text-', '')), 0.5], inputTextTokenCount: 3, embeddingsByType: {} };
};

afterEach(stopLocalBedrocks);

describe('Titan Text Embeddings v2 on Bedrock', () => {
  it('calls once per text with bounded concurrency and keeps the input order', async () => {
    // Prepare
    const { client, invoked, inFlight } = await invokeClientAnswering(async (body) => {
      // Later texts answer sooner, so completion order differs from input order.
      await delay(30 - Number(String(body.inputText).replace('text-', '')));
      return titanAnswer(body);
    });
    const model = new TitanEmbeddingModel({ modelId: 'amazon.titan-embed-text-v2:0', client, concurrency: 4 });
    const inputs = Array.from({ length: 20 }, (_, index) => `text-${index}`);

    // Act
    const result = await model.embed(inputs, { dimensions: 512 });

    // Assess
    expect(invoked).toHaveLength(20);
    expect(inFlight.max).toBe(4);
    expect(result.embeddings.map((vector) => vector[0])).toStrictEqual(inputs.map((_, index) => index));
    expect(result.usage).toStrictEqual({ inputTokens: 60 });
    expect(invoked[0]).toMatchObject({ modelId: 'amazon.titan-embed-text-v2:0', body: { inputText: 'text-0', dimensions: 512, normalize: true } });
  });

  it('runs 8 calls at a time by default and sends no dimensions unless asked', async () => {
    const { client, invoked, inFlight } = await invokeClientAnswering(async (body) => {
      await delay(30);
      return titanAnswer(body);
    });
    const model = createBedrockEmbeddingModel(embeddingEntry('bedrock', { model: 'amazon.titan-embed-text-v2:0' }), () => client);

    await model.embed(Array.from({ length: 30 }, (_, index) => `text-${index}`));

    expect(inFlight.max).toBe(8);
    expect(invoked[0].body).toStrictEqual({ inputText: 'text-0', normalize: true });
  });

  it('refuses dimensions Titan v2 does not offer, before calling Bedrock', async () => {
    const { client, invoked } = await invokeClientAnswering(titanAnswer);
    const model = new TitanEmbeddingModel({ modelId: 'amazon.titan-embed-text-v2:0', client });

    const error = await rejectionOf(model.embed(['a'], { dimensions: 300 }));

    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 400, param: 'dimensions' });
    expect(invoked).toHaveLength(0);
  });

  it('maps throttling to a retryable 429, stops calling and aborts the calls in flight', async () => {
    let calls = 0;
    const { client, invoked } = await invokeClientAnswering(async (body) => {
      calls += 1;
      if (calls === 3) throw bedrockException('ThrottlingException', 'Too many requests, please wait before trying again.', 429);
      // Long enough to be certainly in flight when the throttled answer arrives.
      await delay(200);
      return titanAnswer(body);
    });
    const model = new TitanEmbeddingModel({ modelId: 'amazon.titan-embed-text-v2:0', client, concurrency: 4 });

    const error = await rejectionOf(model.embed(Array.from({ length: 50 }, (_, index) => `text-${index}`)));

    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded', retryable: true });
    expect(invoked.length).toBeLessThan(50);
    // The calls in flight were hung up on, not left to finish.
    await vi.waitFor(() => expect(invoked[0].closedEarly).toBe(true));
  });

  it('reports a body that is not a Titan response as a 502', async () => {
    const { client } = await invokeClientAnswering(() => ({ embeddings: 'nope' }));
    const model = new TitanEmbeddingModel({ modelId: 'amazon.titan-embed-text-v2:0', client });

    const error = await rejectionOf(model.embed(['a']));

    expect(error).toMatchObject({ status: 502, code: 'upstream_invalid_response' });
  });

  it('ends with the caller’s abort reason when the caller gives up', async () => {
    const controller = new AbortController();
    const { client } = await invokeClientAnswering(async (body) => {
      controller.abort();
      return titanAnswer(body);
    });
    const model = new TitanEmbeddingModel({ modelId: 'amazon.titan-embed-text-v2:0', client, concurrency: 1 });

    const error = await rejectionOf(model.embed(['a', 'b', 'c'], { abortSignal: controller.signal }));

    expect(error).toMatchObject({ name: 'AbortError' });
    expect(error).not.toBeInstanceOf(UpstreamError);
  });
});

describe('Cohere Embed on Bedrock', () => {
  const cohereAnswer = (body: Record<string, unknown>) => {
    const texts = body.texts as string[];
    // Each vector encodes its text's number (or its length), so the order can be checked.
    const vectorOf = (text: string) => [text.startsWith('text-') ? Number(text.slice('text-'.length)) : text.length];
    return { id: 'x', response_type: 'embeddings_floats', texts, embeddings: texts.map(vectorOf) };
  };

  it('sends batches of at most 96 documents and joins the vectors in input order', async () => {
    // Prepare
    const { client, invoked } = await invokeClientAnswering(cohereAnswer);
    const model = createBedrockEmbeddingModel(embeddingEntry('bedrock', { model: 'cohere.embed-multilingual-v3' }), () => client);
    const inputs = Array.from({ length: 200 }, (_, index) => `text-${index}`);

    // Act
    const result = await model.embed(inputs);

    // Assess
    expect(model).toBeInstanceOf(CohereEmbeddingModel);
    expect(invoked.map((call) => (call.body.texts as string[]).length)).toStrictEqual([96, 96, 8]);
    expect(invoked[0].body).toMatchObject({ input_type: 'search_document', truncate: 'END' });
    expect(result.embeddings.map((vector) => vector[0])).toStrictEqual(inputs.map((_, index) => index));
  });

  it('estimates tokens at four characters each when Bedrock reports none, and uses the count when it does', async () => {
    const { client: silent } = await invokeClientAnswering(cohereAnswer);
    const { client: counting } = await invokeClientAnswering((body) => ({ ...cohereAnswer(body), meta: { billed_units: { input_tokens: 7 } } }));

    const estimated = await new CohereEmbeddingModel({ modelId: 'cohere.embed-english-v3', client: silent }).embed(['abcdefgh', 'abcde']);
    const counted = await new CohereEmbeddingModel({ modelId: 'cohere.embed-english-v3', client: counting }).embed(['abcdefgh', 'abcde']);

    expect(estimated.usage).toStrictEqual({ inputTokens: 2 + 2 });
    expect(counted.usage).toStrictEqual({ inputTokens: 7 });
  });

  it('reads embeddings grouped by type', async () => {
    const { client } = await invokeClientAnswering((body) => ({ embeddings: { float: (body.texts as string[]).map(() => [0.1, 0.2]) } }));

    const result = await new CohereEmbeddingModel({ modelId: 'cohere.embed-english-v3', client }).embed(['a', 'b']);

    expect(result.embeddings).toStrictEqual([
      [0.1, 0.2],
      [0.1, 0.2],
    ]);
  });

  it('reports fewer vectors than texts as a 502 and refuses dimensions other than 1024', async () => {
    const { client } = await invokeClientAnswering(() => ({ embeddings: [[0.1]] }));
    const model = new CohereEmbeddingModel({ modelId: 'cohere.embed-english-v3', client });

    expect(await rejectionOf(model.embed(['a', 'b']))).toMatchObject({ status: 502, code: 'upstream_invalid_response' });
    expect(await rejectionOf(model.embed(['a'], { dimensions: 256 }))).toMatchObject({ status: 400, param: 'dimensions' });
    await expect(model.embed(['a'], { dimensions: 1024 })).resolves.toMatchObject({ embeddings: [[0.1]] });
  });

  it('maps a validation error to a 400', async () => {
    const { client } = await invokeClientAnswering(() => {
      throw bedrockException('ValidationException', 'Malformed input request: texts must not be empty', 400);
    });

    const error = await rejectionOf(new CohereEmbeddingModel({ modelId: 'cohere.embed-english-v3', client }).embed(['']));

    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', retryable: false });
  });
});

describe('createBedrockEmbeddingModel', () => {
  it('picks the model family from the id, cross-region prefix included, and refuses others', async () => {
    const { client } = await invokeClientAnswering(() => ({}));

    expect(createBedrockEmbeddingModel(embeddingEntry('bedrock', { model: 'amazon.titan-embed-text-v2:0' }), () => client)).toBeInstanceOf(
      TitanEmbeddingModel,
    );
    expect(createBedrockEmbeddingModel(embeddingEntry('bedrock', { model: 'us.cohere.embed-english-v3' }), () => client)).toBeInstanceOf(
      CohereEmbeddingModel,
    );
    expect(() => createBedrockEmbeddingModel(embeddingEntry('bedrock', { model: 'amazon.nova-lite-v1:0' }), () => client)).toThrow(
      /not a supported Bedrock embedding model/,
    );
  });
});

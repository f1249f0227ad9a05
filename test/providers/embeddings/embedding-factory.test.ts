import { describe, expect, it } from 'vitest';
import { CohereEmbeddingModel, TitanEmbeddingModel } from '../../../functions/providers/bedrock/embeddings/index.js';
import { echoDefaultDimensions, EchoEmbeddingModel } from '../../../functions/providers/echo/echo-embedding-model.js';
import { createEmbeddingModel } from '../../../functions/providers/embeddings.js';
import { OpenAIEmbeddingModel } from '../../../functions/providers/openai-compatible/embeddings/index.js';
import { bedrockRuntimeClients } from '../../../functions/runtime/aws/bedrock-clients.js';
import { embeddingEntry, lengthOf } from './embedding-test-helpers.js';

const options = { resolveSecret: async (value: string) => value, bedrockClient: bedrockRuntimeClients() };

const cosine = (first: number[], second: number[]) => first.reduce((total, value, index) => total + value * second[index], 0);

describe('echo embeddings', () => {
  const model = new EchoEmbeddingModel('echo-embedding');

  it('gives the same text the same unit vector of 256 dimensions by default', async () => {
    // Act
    const first = await model.embed(['The quick brown fox', 'the QUICK brown fox!']);
    const again = await model.embed(['The quick brown fox']);

    // Assess
    expect(first.embeddings[0]).toHaveLength(echoDefaultDimensions);
    expect(first.embeddings[0]).toStrictEqual(again.embeddings[0]);
    expect(first.embeddings[1]).toStrictEqual(first.embeddings[0]);
    expect(lengthOf(first.embeddings[0])).toBeCloseTo(1, 10);
  });

  it('puts texts that share words closer together than texts that do not', async () => {
    const { embeddings } = await model.embed(['budget limits for teams', 'team budget limits', 'streaming chat tokens']);

    expect(cosine(embeddings[0], embeddings[1])).toBeGreaterThan(cosine(embeddings[0], embeddings[2]));
  });

  it('honours dimensions, gives an empty text a unit vector and counts tokens', async () => {
    const result = await model.embed(['Hello, world', ''], { dimensions: 8 });

    expect(result.embeddings.map((vector) => vector.length)).toStrictEqual([8, 8]);
    expect(result.embeddings[1]).toStrictEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(lengthOf(result.embeddings[0])).toBeCloseTo(1, 10);
    expect(result.usage).toStrictEqual({ inputTokens: 3 });
  });

  it('refuses dimensions out of range', async () => {
    await expect(model.embed(['a'], { dimensions: 0 })).rejects.toMatchObject({ status: 400, param: 'dimensions' });
    await expect(model.embed(['a'], { dimensions: 5000 })).rejects.toMatchObject({ status: 400, param: 'dimensions' });
  });
});

describe('createEmbeddingModel', () => {
  it('creates the embeddings model each provider needs', () => {
    expect(createEmbeddingModel(embeddingEntry('echo', { model: undefined }), options)).toMatchObject({ provider: 'echo', modelId: 'echo-embedding' });
    expect(createEmbeddingModel(embeddingEntry('bedrock', { model: 'amazon.titan-embed-text-v2:0', region: 'us-east-1' }), options)).toBeInstanceOf(
      TitanEmbeddingModel,
    );
    expect(createEmbeddingModel(embeddingEntry('bedrock', { model: 'cohere.embed-english-v3', region: 'us-east-1' }), options)).toBeInstanceOf(
      CohereEmbeddingModel,
    );
    expect(createEmbeddingModel(embeddingEntry('openai'), options)).toMatchObject({ provider: 'openai', modelId: 'text-embedding-3-small' });
    expect(createEmbeddingModel(embeddingEntry('openai'), options)).toBeInstanceOf(OpenAIEmbeddingModel);
    expect(createEmbeddingModel(embeddingEntry('azure-openai', { base_url: 'https://tollway.openai.azure.com' }), options)).toMatchObject({
      provider: 'azure-openai',
    });
  });

  it('refuses providers without embeddings and entries that miss what their provider needs', () => {
    expect(() => createEmbeddingModel(embeddingEntry('anthropic', { model: 'claude-sonnet-4-5' }), options)).toThrow(/offers no embeddings/);
    expect(() => createEmbeddingModel(embeddingEntry('openai-compatible'), options)).toThrow(/needs a base URL/);
    expect(() => createEmbeddingModel(embeddingEntry('azure-openai'), options)).toThrow(/needs the resource endpoint/);
  });
});

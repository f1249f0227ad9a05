import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configSchema, type KnowledgeBaseConfig, type TollwayConfig } from '../../functions/core/config/schema.js';
import { GatewayError } from '../../functions/core/errors.js';
import { silentLogger } from '../../functions/core/logger.js';
import type { GatewayMetrics } from '../../functions/core/metrics.js';
import { createKnowledgeService, knowledgeBaseIdVariable } from '../../functions/knowledge/index.js';
import { bedrockAgentRuntimeClients } from '../../functions/runtime/aws/agent-runtime-clients.js';
import { stopLocalBedrocks } from '../support/local-bedrock.js';
import { clientAnswering } from './bedrock/retrieve-client.js';

const shippedDocuments = new URL('../../knowledge', import.meta.url).pathname;

const recordingMetrics = () => {
  const recorded: Array<{ name: string; value: number; dimensions: Record<string, string> }> = [];
  const metrics: GatewayMetrics = { record: (name, value, dimensions) => recorded.push({ name, value, dimensions }) };
  return { metrics, recorded };
};

const configWith = (knowledgeBases: KnowledgeBaseConfig[]): TollwayConfig => ({
  ...configSchema.parse({ models: [{ name: 'echo', provider: 'echo' }] }),
  knowledge_bases: knowledgeBases,
});

describe('createKnowledgeService', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tollway-knowledge-service-'));
    cpSync(shippedDocuments, join(root, 'docs'), { recursive: true });
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    rmSync(root, { recursive: true, force: true });
    await stopLocalBedrocks();
  });

  it('lists every configured knowledge base with its provider and description', () => {
    const service = createKnowledgeService({
      config: configWith([
        { name: 'handbook', provider: 'bedrock', knowledge_base_id: 'ABCDEFGHIJ', description: 'HR handbook' },
        { name: 'docs', provider: 'local', path: './docs' },
      ]),
      logger: silentLogger,
      metrics: recordingMetrics().metrics,
      baseDirectory: root,
    });

    expect(service.list()).toEqual([
      { name: 'handbook', provider: 'bedrock', description: 'HR handbook' },
      { name: 'docs', provider: 'local' },
    ]);
  });

  it('answers 404 for a knowledge base that is not configured', async () => {
    const service = createKnowledgeService({ config: configWith([]), logger: silentLogger, metrics: recordingMetrics().metrics, baseDirectory: root });

    await expect(service.search('nope', { query: 'x', maxResults: 1 })).rejects.toMatchObject({ status: 404, code: 'knowledge_base_not_found' });
  });

  it('resolves a local path against the base directory and saves the index under .tollway/knowledge', async () => {
    const service = createKnowledgeService({
      config: configWith([{ name: 'docs', provider: 'local', path: './docs' }]),
      logger: silentLogger,
      metrics: recordingMetrics().metrics,
      baseDirectory: root,
    });

    const passages = await service.search('docs', { query: 'conditional writes in DynamoDB', maxResults: 2 });

    expect(passages[0].fileId).toBe('reference/dynamodb-conditional-writes.html');
    expect(existsSync(join(root, '.tollway', 'knowledge', 'docs.json'))).toBe(true);
  });

  it('counts every search in Retrievals and RetrievalLatency by knowledge base, failed ones included', async () => {
    const { metrics, recorded } = recordingMetrics();
    const service = createKnowledgeService({
      config: configWith([
        { name: 'docs', provider: 'local', path: './docs' },
        { name: 'gone', provider: 'local', path: './missing' },
      ]),
      logger: silentLogger,
      metrics,
      baseDirectory: root,
      cacheDirectory: join(root, 'cache'),
    });

    await service.search('docs', { query: 'budgets', maxResults: 1 });
    await expect(service.search('gone', { query: 'budgets', maxResults: 1 })).rejects.toMatchObject({ status: 500 });

    expect(recorded.map(({ name, dimensions }) => `${name} ${dimensions.knowledge_base}`)).toEqual([
      'Retrievals docs',
      'RetrievalLatency docs',
      'Retrievals gone',
      'RetrievalLatency gone',
    ]);
    expect(recorded[0].value).toBe(1);
    expect(recorded[1].value).toBeGreaterThanOrEqual(0);
  });

  it('searches Bedrock through the client for the knowledge base region', async () => {
    const { client, captured } = await clientAnswering({ status: 200, body: 'page-2' });
    const regions: Array<string | undefined> = [];
    const service = createKnowledgeService({
      config: configWith([{ name: 'handbook', provider: 'bedrock', knowledge_base_id: 'ABCDEFGHIJ', region: 'eu-west-1' }]),
      logger: silentLogger,
      metrics: recordingMetrics().metrics,
      baseDirectory: root,
      environment: { AWS_REGION: 'us-east-1' },
      bedrockClient: (region) => {
        regions.push(region);
        return client;
      },
    });

    const passages = await service.search('handbook', { query: 'per diem', maxResults: 3 });

    expect(regions).toEqual(['eu-west-1']);
    expect(captured[0].path).toBe('/knowledgebases/ABCDEFGHIJ/retrieve');
    expect(passages[0].text).toBe('Per diem rates follow the local government schedule.');
  });

  it('takes a provisioned knowledge base id from the environment the stack sets', async () => {
    const { client, captured } = await clientAnswering({ status: 200, body: 'page-2' });
    const service = createKnowledgeService({
      config: configWith([{ name: 'handbook', provider: 'bedrock', knowledge_base_id: '' }]),
      logger: silentLogger,
      metrics: recordingMetrics().metrics,
      baseDirectory: root,
      environment: { [knowledgeBaseIdVariable('handbook')]: 'PROVISION1' },
      bedrockClient: () => client,
    });

    await service.search('handbook', { query: 'per diem', maxResults: 1 });

    expect(knowledgeBaseIdVariable('handbook')).toBe('TOLLWAY_KNOWLEDGE_BASE_ID_HANDBOOK');
    expect(captured[0].path).toBe('/knowledgebases/PROVISION1/retrieve');
  });

  it('reads the reranking model and search type from the entry when the config carries them', async () => {
    const { client, captured } = await clientAnswering({ status: 200, body: 'page-2' });
    const entry = { name: 'handbook', provider: 'bedrock' as const, knowledge_base_id: 'ABCDEFGHIJ', reranking_model: 'amazon.rerank-v1:0', search_type: 'semantic' as const };
    const service = createKnowledgeService({
      config: configWith([entry]),
      logger: silentLogger,
      metrics: recordingMetrics().metrics,
      baseDirectory: root,
      environment: { AWS_REGION: 'us-west-2' },
      bedrockClient: () => client,
    });

    await service.search('handbook', { query: 'per diem', maxResults: 4 });

    expect(captured[0].body).toMatchObject({
      retrievalConfiguration: {
        vectorSearchConfiguration: {
          overrideSearchType: 'SEMANTIC',
          rerankingConfiguration: {
            bedrockRerankingConfiguration: { modelConfiguration: { modelArn: 'arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0' } },
          },
        },
      },
    });
  });

  it('falls back to AWS_DEFAULT_REGION for the client and the reranking model ARN', async () => {
    const { client, captured } = await clientAnswering({ status: 200, body: 'page-2' });
    const regions: Array<string | undefined> = [];
    const service = createKnowledgeService({
      config: configWith([{ name: 'handbook', provider: 'bedrock', knowledge_base_id: 'ABCDEFGHIJ', reranking_model: 'amazon.rerank-v1:0' }]),
      logger: silentLogger,
      metrics: recordingMetrics().metrics,
      baseDirectory: root,
      environment: { AWS_REGION: '', AWS_DEFAULT_REGION: 'ap-southeast-2' },
      bedrockClient: (region) => {
        regions.push(region);
        return client;
      },
    });

    await service.search('handbook', { query: 'per diem', maxResults: 1 });

    expect(regions).toEqual(['ap-southeast-2']);
    expect(captured[0].body).toMatchObject({
      retrievalConfiguration: {
        vectorSearchConfiguration: {
          rerankingConfiguration: {
            bedrockRerankingConfiguration: { modelConfiguration: { modelArn: 'arn:aws:bedrock:ap-southeast-2::foundation-model/amazon.rerank-v1:0' } },
          },
        },
      },
    });
  });

  it('loads a Bedrock knowledge base without any region, and fails its searches with a configuration error that says so', async () => {
    // Prepare: the real client factory, and no region anywhere.
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent');
    const service = createKnowledgeService({
      config: configWith([{ name: 'handbook', provider: 'bedrock', knowledge_base_id: 'ABCDEFGHIJ' }]),
      logger: silentLogger,
      metrics: recordingMetrics().metrics,
      baseDirectory: root,
      environment: {},
      bedrockClient: bedrockAgentRuntimeClients({ credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
    });

    // Act
    const search = service.search('handbook', { query: 'per diem', maxResults: 1 });

    // Assess
    await expect(search).rejects.toBeInstanceOf(GatewayError);
    await expect(search).rejects.toMatchObject({ status: 500, type: 'server_error', code: 'knowledge_base_unavailable', message: expect.stringMatching(/AWS_REGION/) });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../functions/core/errors.js';
import { BedrockRetriever } from '../../../functions/knowledge/bedrock/bedrock-retriever.js';
import { rerankingModelArn } from '../../../functions/knowledge/bedrock/knowledge-base-region.js';
import { agentRuntimeClientAt, startLocalBedrock, stopLocalBedrocks } from '../../support/local-bedrock.js';
import { bedrockError, clientAnswering } from './retrieve-client.js';

const knowledgeBaseId = 'KB12345678';

describe('BedrockRetriever', () => {
  afterEach(stopLocalBedrocks);

  describe('the Retrieve request', () => {
    it('POSTs the query, result count, search type, filter and reranking model as the Retrieve API documents them', async () => {
      // Prepare
      const { client, captured } = await clientAnswering({ status: 200, body: 'page-2' });
      const retriever = new BedrockRetriever({
        name: 'handbook',
        knowledgeBaseId,
        client,
        searchType: 'HYBRID',
        reranking: { modelArn: 'arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0' },
      });

      // Act
      await retriever.retrieve({
        query: 'travel policy for long flights',
        maxResults: 5,
        filters: {
          type: 'and',
          filters: [
            { type: 'eq', key: 'department', value: 'finance' },
            { type: 'or', filters: [{ type: 'in', key: 'year', value: [2024, 2025] }, { type: 'nin', key: 'status', value: ['draft'] }] },
          ],
        },
      });

      // Assess
      expect(captured).toHaveLength(1);
      expect(captured[0].method).toBe('POST');
      expect(captured[0].path).toBe(`/knowledgebases/${knowledgeBaseId}/retrieve`);
      expect(captured[0].body).toEqual({
        retrievalQuery: { text: 'travel policy for long flights' },
        retrievalConfiguration: {
          vectorSearchConfiguration: {
            numberOfResults: 5,
            overrideSearchType: 'HYBRID',
            filter: {
              andAll: [
                { equals: { key: 'department', value: 'finance' } },
                { orAll: [{ in: { key: 'year', value: [2024, 2025] } }, { notIn: { key: 'status', value: ['draft'] } }] },
              ],
            },
            rerankingConfiguration: {
              type: 'BEDROCK_RERANKING_MODEL',
              bedrockRerankingConfiguration: {
                modelConfiguration: { modelArn: 'arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0' },
                numberOfRerankedResults: 5,
              },
            },
          },
        },
      });
    });

    it('sends only the result count when nothing else is configured', async () => {
      const { client, captured } = await clientAnswering({ status: 200, body: 'page-2' });

      await new BedrockRetriever({ name: 'handbook', knowledgeBaseId, client }).retrieve({ query: 'per diem', maxResults: 10 });

      expect(captured[0].body).toEqual({
        retrievalQuery: { text: 'per diem' },
        retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 10 } },
      });
    });

    it('sends a one-condition compound filter as the bare condition', async () => {
      const retriever = new BedrockRetriever({ name: 'handbook', knowledgeBaseId, client: (await clientAnswering({ status: 200, body: 'page-2' })).client });

      const configuration = retriever.vectorSearchConfiguration({
        query: 'x',
        maxResults: 3,
        filters: { type: 'or', filters: [{ type: 'lt', key: 'year', value: 2020 }] },
      });

      expect(configuration.filter).toEqual({ lessThan: { key: 'year', value: 2020 } });
    });

    it('asks the reranker for the configured number of results, capped at 100', async () => {
      const retriever = new BedrockRetriever({
        name: 'handbook',
        knowledgeBaseId,
        client: (await clientAnswering({ status: 200, body: 'page-2' })).client,
        reranking: { modelArn: 'arn:aws:bedrock:us-east-1::foundation-model/cohere.rerank-v3-5:0', numberOfRerankedResults: 500 },
      });

      const configuration = retriever.vectorSearchConfiguration({ query: 'x', maxResults: 3 });

      expect(configuration.rerankingConfiguration?.bedrockRerankingConfiguration?.numberOfRerankedResults).toBe(100);
    });
  });

  describe('the Retrieve response', () => {
    it('maps results to passages: text, score, source location, file name and flat metadata as attributes', async () => {
      const { client } = await clientAnswering({ status: 200, body: 'page-1' });

      const passages = await new BedrockRetriever({ name: 'handbook', knowledgeBaseId, client }).retrieve({ query: 'travel', maxResults: 2 });

      expect(passages).toEqual([
        {
          fileId: 's3://tollway-handbook-documents/policies/Travel%20Policy.pdf',
          filename: 'Travel Policy.pdf',
          location: 's3://tollway-handbook-documents/policies/Travel%20Policy.pdf',
          score: 0.7134,
          text: 'Employees may book economy class for flights under six hours. Longer flights may be booked in premium economy.',
          attributes: {
            'x-amz-bedrock-kb-source-uri': 's3://tollway-handbook-documents/policies/Travel%20Policy.pdf',
            'x-amz-bedrock-kb-chunk-id': '1%3A0%3AaBcDeFgHiJ',
            'x-amz-bedrock-kb-data-source-id': 'DSRC123456',
            'x-amz-bedrock-kb-document-page-number': 3,
            department: 'finance',
            year: 2024,
            approved: true,
          },
        },
        {
          fileId: 'https://intranet.example.com/handbook/expenses?lang=en',
          filename: 'expenses',
          location: 'https://intranet.example.com/handbook/expenses?lang=en',
          score: 0.6412,
          text: 'Expenses are reimbursed within thirty days of submission.',
          attributes: { 'x-amz-bedrock-kb-source-uri': 'https://intranet.example.com/handbook/expenses?lang=en', tags: 'travel, expenses' },
        },
      ]);
    });

    it('follows nextToken until it has enough results', async () => {
      const { client, captured } = await clientAnswering({ status: 200, body: 'page-1' }, { status: 200, body: 'page-2' });

      const passages = await new BedrockRetriever({ name: 'handbook', knowledgeBaseId, client }).retrieve({ query: 'travel', maxResults: 3 });

      expect(captured).toHaveLength(2);
      expect(captured[0].body).not.toHaveProperty('nextToken');
      expect(captured[1].body).toMatchObject({ nextToken: 'eyJwYWdlIjoyfQ==', retrievalQuery: { text: 'travel' } });
      expect(passages.map((passage) => passage.filename)).toEqual(['Travel Policy.pdf', 'expenses', 'Per+Diem']);
      expect(passages[2]).toMatchObject({ fileId: 'https://example.atlassian.net/wiki/spaces/HR/pages/123/Per+Diem', attributes: {} });
    });

    it('stops paging once it has maxResults, and when there is no nextToken', async () => {
      const enough = await clientAnswering({ status: 200, body: 'page-1' }, { status: 200, body: 'page-2' });
      const exhausted = await clientAnswering({ status: 200, body: 'page-1' }, { status: 200, body: 'page-2' });

      await new BedrockRetriever({ name: 'handbook', knowledgeBaseId, client: enough.client }).retrieve({ query: 'travel', maxResults: 2 });
      const all = await new BedrockRetriever({ name: 'handbook', knowledgeBaseId, client: exhausted.client }).retrieve({ query: 'travel', maxResults: 50 });

      expect(enough.captured).toHaveLength(1);
      expect(exhausted.captured).toHaveLength(2);
      expect(all).toHaveLength(3);
    });

    it('reports an answer it cannot read as a 502', async () => {
      const { client } = await clientAnswering({ status: 200, body: { retrievalResults: [{ score: 'high' }] } });

      const search = new BedrockRetriever({ name: 'handbook', knowledgeBaseId, client }).retrieve({ query: 'x', maxResults: 1 });

      await expect(search).rejects.toBeInstanceOf(UpstreamError);
      await expect(search).rejects.toMatchObject({ status: 502, code: 'upstream_invalid_response' });
    });

    it('drops results under the score threshold', async () => {
      const { client } = await clientAnswering({ status: 200, body: 'page-1' }, { status: 200, body: 'page-2' });

      const passages = await new BedrockRetriever({ name: 'handbook', knowledgeBaseId, client }).retrieve({
        query: 'travel',
        maxResults: 10,
        scoreThreshold: 0.6,
      });

      expect(passages.map((passage) => passage.score)).toEqual([0.7134, 0.6412]);
    });
  });

  describe('errors', () => {
    const failWith = async (status: number, type: string, message: string) => {
      const { client } = await clientAnswering(bedrockError(status, type, message));
      return new BedrockRetriever({ name: 'handbook', knowledgeBaseId, client }).retrieve({ query: 'x', maxResults: 1 }).then(
        () => {
          throw new Error('expected a failure');
        },
        (error: unknown) => error,
      );
    };

    it('passes a validation error on to the client as 400, with Bedrock’s message', async () => {
      const error = await failWith(400, 'ValidationException', 'Filter value must be a list for operator in');

      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', message: 'Bedrock rejected the search: Filter value must be a list for operator in' });
    });

    it('reports an unknown knowledge base id as a 502 misconfiguration, not a client 404', async () => {
      expect(await failWith(404, 'ResourceNotFoundException', 'KB12345678 not found')).toMatchObject({
        status: 502,
        code: 'upstream_knowledge_base_not_found',
        message: 'Bedrock does not know the knowledge base configured as "handbook".',
      });
    });

    it('answers throttling with 429 rate_limit_exceeded', async () => {
      expect(await failWith(429, 'ThrottlingException', 'Rate exceeded')).toMatchObject({ status: 429, code: 'rate_limit_exceeded', retryable: true });
    });

    it('keeps access-denied details out of the message', async () => {
      const error = await failWith(403, 'AccessDeniedException', 'User arn:aws:sts::111122223333:assumed-role/x is not authorized');

      expect(error).toMatchObject({ status: 502, code: 'upstream_access_denied' });
      expect((error as Error).message).not.toContain('111122223333');
    });

    it('answers other failures with 502', async () => {
      expect(await failWith(500, 'InternalServerException', 'boom')).toMatchObject({ status: 502, code: 'upstream_error', retryable: true });
      expect(await failWith(424, 'DependencyFailedException', 'vector store down')).toMatchObject({ status: 502, code: 'upstream_error' });
    });

    it('answers a connection Bedrock drops with a retryable 502', async () => {
      const { endpoint } = await startLocalBedrock(() => 'reset');
      const client = agentRuntimeClientAt(endpoint);

      const search = new BedrockRetriever({ name: 'handbook', knowledgeBaseId, client }).retrieve({ query: 'x', maxResults: 1 });

      await expect(search).rejects.toMatchObject({ status: 502, code: 'upstream_connection_error', retryable: true });
    });

    it('lets an abort through as the caller’s own reason', async () => {
      const { client } = await clientAnswering({ status: 200, body: 'page-1' });
      const controller = new AbortController();
      const reason = new Error('client left');
      controller.abort(reason);

      await expect(
        new BedrockRetriever({ name: 'handbook', knowledgeBaseId, client }).retrieve({ query: 'x', maxResults: 1 }, { abortSignal: controller.signal }),
      ).rejects.toBe(reason);
    });
  });
});

describe('rerankingModelArn', () => {
  it('builds the foundation-model ARN in the partition of the region, and keeps an ARN as it is', () => {
    expect(rerankingModelArn('amazon.rerank-v1:0', 'us-west-2')).toBe('arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0');
    expect(rerankingModelArn('cohere.rerank-v3-5:0', 'cn-north-1')).toBe('arn:aws-cn:bedrock:cn-north-1::foundation-model/cohere.rerank-v3-5:0');
    expect(rerankingModelArn('amazon.rerank-v1:0', 'eusc-de-east-1')).toBe('arn:aws-eusc:bedrock:eusc-de-east-1::foundation-model/amazon.rerank-v1:0');
    expect(rerankingModelArn('arn:aws:bedrock:eu-central-1::foundation-model/x', undefined)).toBe('arn:aws:bedrock:eu-central-1::foundation-model/x');
    expect(rerankingModelArn('amazon.rerank-v1:0', undefined)).toBeUndefined();
  });
});

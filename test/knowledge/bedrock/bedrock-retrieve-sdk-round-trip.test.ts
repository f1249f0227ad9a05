/*
 * The AWS SDK as the oracle for Retrieve: both clients talk to the same local
 * Bedrock, which records what each sends and answers both with the same
 * recorded pages.
 */
import { BedrockAgentRuntimeClient as SdkBedrockAgentRuntimeClient, RetrieveCommand } from '@aws-sdk/client-bedrock-agent-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterEach, describe, expect, it } from 'vitest';
import { BedrockAgentRuntimeClient } from '../../../functions/knowledge/bedrock/bedrock-agent-runtime-client.js';
import { BedrockRetriever } from '../../../functions/knowledge/bedrock/bedrock-retriever.js';
import { convertBedrockResult, retrieveResponseSchema } from '../../../functions/knowledge/bedrock/convert-bedrock-results.js';
import { mapRetrieveError } from '../../../functions/knowledge/bedrock/map-retrieve-error.js';
import { type Answer, startLocalBedrock, stopLocalBedrocks, testCredentials } from '../../support/local-bedrock.js';
import { retrieveFixture } from './retrieve-client.js';

const knowledgeBaseId = 'KB12345678';

/** A local Bedrock answering every call with `answer`, and both clients pointed at it. */
const bothClientsAnswering = async (answer: Answer) => {
  const { endpoint, received } = await startLocalBedrock(() => answer);
  return {
    ours: new BedrockAgentRuntimeClient({ region: 'us-east-1', endpoint, credentials: testCredentials, maxAttempts: 1 }),
    // Over the SDK's HTTP/1.1 handler: its default here is HTTP/2, which the local Bedrock does not speak.
    sdk: new SdkBedrockAgentRuntimeClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler(),
    }),
    received,
  };
};

const page = (name: string): Answer => ({ status: 200, contentType: 'application/json', text: retrieveFixture(name) });

describe('Retrieve against the AWS SDK as the oracle', () => {
  afterEach(stopLocalBedrocks);

  it('sends the body and path the SDK would serialise for the same search, next page included', async () => {
    // Prepare
    const { ours, sdk, received } = await bothClientsAnswering(page('page-1'));
    const retriever = new BedrockRetriever({
      name: 'handbook',
      knowledgeBaseId,
      client: ours,
      searchType: 'HYBRID',
      reranking: { modelArn: 'arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0', numberOfRerankedResults: 4 },
    });
    const query = {
      query: 'travel policy',
      maxResults: 5,
      filters: {
        type: 'and' as const,
        filters: [
          { type: 'eq' as const, key: 'department', value: 'finance' },
          { type: 'or' as const, filters: [{ type: 'in' as const, key: 'year', value: [2024, 2025] }, { type: 'gte' as const, key: 'score', value: 0.5 }] },
          { type: 'ne' as const, key: 'approved', value: false },
        ],
      },
    };

    // Act: two pages, as the first answer has a nextToken.
    await retriever.retrieve({ ...query, maxResults: 3 });
    const vectorSearchConfiguration = retriever.vectorSearchConfiguration({ ...query, maxResults: 3 });
    for (const nextToken of [undefined, 'eyJwYWdlIjoyfQ==']) {
      await sdk.send(
        new RetrieveCommand({
          knowledgeBaseId,
          retrievalQuery: { text: 'travel policy' },
          retrievalConfiguration: {
            vectorSearchConfiguration: {
              numberOfResults: 3,
              overrideSearchType: 'HYBRID',
              filter: {
                andAll: [
                  { equals: { key: 'department', value: 'finance' } },
                  { orAll: [{ in: { key: 'year', value: [2024, 2025] } }, { greaterThanOrEquals: { key: 'score', value: 0.5 } }] },
                  { notEquals: { key: 'approved', value: false } },
                ],
              },
              rerankingConfiguration: {
                type: 'BEDROCK_RERANKING_MODEL',
                bedrockRerankingConfiguration: { modelConfiguration: { modelArn: 'arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0' }, numberOfRerankedResults: 4 },
              },
            },
          },
          ...(nextToken ? { nextToken } : {}),
        }),
      );
    }

    // Assess
    expect(vectorSearchConfiguration.numberOfResults).toBe(3);
    const [ourFirst, ourSecond, sdkFirst, sdkSecond] = received;
    expect(ourFirst.body).toEqual(sdkFirst.body);
    expect(ourSecond.body).toEqual(sdkSecond.body);
    expect(ourFirst.path).toBe(sdkFirst.path);
    expect(ourFirst.method).toBe(sdkFirst.method);
    expect(ourFirst.headers['content-type']).toBe(sdkFirst.headers['content-type']);
  });

  it('reads a recorded page into the passages the SDK\'s reading gives', async () => {
    // Prepare
    const { ours, sdk } = await bothClientsAnswering(page('page-1'));

    // Act
    const passages = await new BedrockRetriever({ name: 'handbook', knowledgeBaseId, client: ours, maxPages: 1 }).retrieve({ query: 'travel', maxResults: 10 });
    const sdkOutput = await sdk.send(new RetrieveCommand({ knowledgeBaseId, retrievalQuery: { text: 'travel' } }));

    // Assess
    expect(passages).toEqual(retrieveResponseSchema.parse(sdkOutput).retrievalResults.map(convertBedrockResult));
  });

  it.each([
    { case: 'a 429 ThrottlingException', answer: { status: 429, errorType: 'ThrottlingException', message: 'Rate exceeded' } },
    { case: 'a 400 ValidationException', answer: { status: 400, errorType: 'ValidationException', message: 'Filter value must be a list for operator in' } },
    { case: 'a 404 ResourceNotFoundException', answer: { status: 404, errorType: 'ResourceNotFoundException', message: 'KB12345678 not found' } },
    { case: 'a connection dropped before an answer', answer: 'reset' as const },
  ])('maps $case as it did through the SDK', async ({ answer }) => {
    // Prepare
    const { ours, sdk } = await bothClientsAnswering(answer);

    // Act
    const ourError = await new BedrockRetriever({ name: 'handbook', knowledgeBaseId, client: ours }).retrieve({ query: 'x', maxResults: 1 }).catch((error: unknown) => error);
    const sdkError = await sdk.send(new RetrieveCommand({ knowledgeBaseId, retrievalQuery: { text: 'x' } })).catch((error: unknown) => error);

    // Assess
    const { status, type, code, retryable, message } = mapRetrieveError(sdkError, 'handbook') as Error & Record<string, unknown>;
    expect(ourError).toMatchObject({ status, type, code, retryable, message });
  });
});

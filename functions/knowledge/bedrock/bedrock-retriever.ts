import { RetrieveCommand, type BedrockAgentRuntimeClient, type KnowledgeBaseVectorSearchConfiguration } from '@aws-sdk/client-bedrock-agent-runtime';
import { UpstreamError } from '../../core/errors.js';
import type { Passage, RetrievalQuery } from '../../core/knowledge/knowledge-service.js';
import type { Retriever } from '../retriever.js';
import { convertBedrockResult, retrieveResponseSchema } from './convert-bedrock-results.js';
import { convertToBedrockFilter } from './convert-to-bedrock-filter.js';
import { mapRetrieveError } from './map-retrieve-error.js';

export interface BedrockRerankingOptions {
  /** ARN of a Bedrock reranking model (`amazon.rerank-v1:0`, `cohere.rerank-v3-5:0`). */
  modelArn: string;
  /** How many results the reranker returns; the query's `maxResults` when absent. */
  numberOfRerankedResults?: number;
}

export interface BedrockRetrieverOptions {
  /** The knowledge base name in the config, for error messages. */
  name: string;
  knowledgeBaseId: string;
  /** The AWS SDK's Bedrock Agent Runtime client for the knowledge base's region. */
  client: BedrockAgentRuntimeClient;
  /** Force hybrid or semantic search; Bedrock chooses when absent. */
  searchType?: 'HYBRID' | 'SEMANTIC';
  reranking?: BedrockRerankingOptions;
  /** Most Retrieve calls one search makes while following `nextToken`. */
  maxPages?: number;
}

/** Bedrock's bounds on `numberOfResults`. */
const maxResultsPerCall = 100;

/** An Amazon Bedrock Knowledge Base, searched with the Retrieve API of the AWS SDK. */
export class BedrockRetriever implements Retriever {
  constructor(private readonly options: BedrockRetrieverOptions) {}

  /** The `vectorSearchConfiguration` for a query. */
  vectorSearchConfiguration(query: RetrievalQuery): KnowledgeBaseVectorSearchConfiguration {
    const { searchType, reranking } = this.options;
    const filter = query.filters ? convertToBedrockFilter(query.filters) : undefined;
    return {
      numberOfResults: Math.min(query.maxResults, maxResultsPerCall),
      ...(searchType ? { overrideSearchType: searchType } : {}),
      ...(filter ? { filter } : {}),
      ...(reranking
        ? {
            rerankingConfiguration: {
              type: 'BEDROCK_RERANKING_MODEL',
              bedrockRerankingConfiguration: {
                modelConfiguration: { modelArn: reranking.modelArn },
                numberOfRerankedResults: Math.min(reranking.numberOfRerankedResults ?? query.maxResults, maxResultsPerCall),
              },
            },
          }
        : {}),
    };
  }

  async retrieve(query: RetrievalQuery, options: { abortSignal?: AbortSignal } = {}): Promise<Passage[]> {
    const { knowledgeBaseId, client, name } = this.options;
    const vectorSearchConfiguration = this.vectorSearchConfiguration(query);
    const passages: Passage[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      // Also between pages: a client that left needs no more of them.
      if (options.abortSignal?.aborted) throw mapRetrieveError(options.abortSignal.reason, name, options.abortSignal);
      let output: unknown;
      try {
        output = await client.send(
          new RetrieveCommand({
            knowledgeBaseId,
            retrievalQuery: { text: query.query },
            retrievalConfiguration: { vectorSearchConfiguration },
            ...(nextToken ? { nextToken } : {}),
          }),
          { abortSignal: options.abortSignal },
        );
      } catch (error) {
        throw mapRetrieveError(error, name, options.abortSignal);
      }
      const parsed = retrieveResponseSchema.safeParse(output);
      if (!parsed.success) {
        throw new UpstreamError(502, `Bedrock answered the search of knowledge base "${name}" with a response the gateway could not read.`, {
          code: 'upstream_invalid_response',
          cause: parsed.error,
        });
      }
      const page = parsed.data;
      passages.push(...page.retrievalResults.map(convertBedrockResult));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken && passages.length < query.maxResults && pages < (this.options.maxPages ?? 5));
    const threshold = query.scoreThreshold;
    return passages.filter((passage) => threshold === undefined || passage.score >= threshold).slice(0, query.maxResults);
  }
}

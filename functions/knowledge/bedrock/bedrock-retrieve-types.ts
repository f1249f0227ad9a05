/*
 * The Retrieve request of Bedrock Agent Runtime as it travels (REST JSON), for
 * the parts the gateway sends. The answer is read with the zod schema of
 * convert-bedrock-results.ts.
 */

/** A metadata value to compare with: what OpenAI vector-store filters carry. */
export type FilterValue = string | number | boolean | Array<string | number>;

export interface FilterAttribute {
  key: string;
  value: FilterValue;
}

/** A metadata filter; exactly one member is set, `andAll`/`orAll` with at least two filters. */
export interface RetrievalFilter {
  equals?: FilterAttribute;
  notEquals?: FilterAttribute;
  greaterThan?: FilterAttribute;
  greaterThanOrEquals?: FilterAttribute;
  lessThan?: FilterAttribute;
  lessThanOrEquals?: FilterAttribute;
  in?: FilterAttribute;
  notIn?: FilterAttribute;
  andAll?: RetrievalFilter[];
  orAll?: RetrievalFilter[];
}

export interface RerankingConfiguration {
  type: 'BEDROCK_RERANKING_MODEL';
  bedrockRerankingConfiguration: {
    modelConfiguration: { modelArn: string };
    numberOfRerankedResults?: number;
  };
}

export interface KnowledgeBaseVectorSearchConfiguration {
  numberOfResults?: number;
  overrideSearchType?: 'HYBRID' | 'SEMANTIC';
  filter?: RetrievalFilter;
  rerankingConfiguration?: RerankingConfiguration;
}

/** The body of Retrieve; the knowledge base id travels in the path. */
export interface RetrieveRequest {
  retrievalQuery: { text: string };
  retrievalConfiguration?: { vectorSearchConfiguration: KnowledgeBaseVectorSearchConfiguration };
  nextToken?: string;
}

import * as z from 'zod';

/*
 * The InvokeModel response bodies of the Bedrock embedding models Tollway
 * speaks to, validated at the boundary. Objects are not strict: the models add
 * fields (`embeddingsByType`, `id`, `texts`...) the gateway does not use.
 */

const vector = z.array(z.number()).min(1);

/** Amazon Titan Text Embeddings (v1 and v2): one text per call. */
export const titanEmbeddingResponseSchema = z.object({
  embedding: vector,
  inputTextTokenCount: z.number().int().nonnegative(),
});

/**
 * Cohere Embed on Bedrock: `embeddings` is a list of vectors, or an object of
 * lists by type when `embedding_types` was asked for. Cohere's own API reports
 * billed tokens in `meta`; Bedrock leaves it out in some versions.
 */
export const cohereEmbeddingResponseSchema = z.object({
  embeddings: z.union([z.array(vector), z.object({ float: z.array(vector) })]),
  meta: z
    .object({ billed_units: z.object({ input_tokens: z.number().int().nonnegative().nullish() }).nullish() })
    .nullish(),
});

export type TitanEmbeddingResponse = z.infer<typeof titanEmbeddingResponseSchema>;
export type CohereEmbeddingResponse = z.infer<typeof cohereEmbeddingResponseSchema>;

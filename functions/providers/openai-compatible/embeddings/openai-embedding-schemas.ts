import * as z from 'zod';

/** An OpenAI-style embeddings response (OpenAI, Azure, Ollama, vLLM...), as far as Tollway reads it. */
export const openAIEmbeddingResponseSchema = z.object({
  data: z.array(
    z.object({
      index: z.number().int().nonnegative(),
      embedding: z.array(z.number()).min(1),
    }),
  ),
  usage: z.object({ prompt_tokens: z.number().int().nonnegative().nullish() }).nullish(),
});

export type OpenAIEmbeddingResponse = z.infer<typeof openAIEmbeddingResponseSchema>;

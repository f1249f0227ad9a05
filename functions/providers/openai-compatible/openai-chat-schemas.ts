import * as z from 'zod';

/**
 * What OpenAI-compatible servers send back, validated at the boundary. The
 * schemas are lenient where servers differ (nullish fields, missing `index`,
 * `reasoning_content` vs `reasoning`) and strict where Tollway depends on a value.
 */

export const openAIUsageSchema = z.object({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  prompt_tokens_details: z.object({ cached_tokens: z.number().nullish() }).nullish(),
  completion_tokens_details: z.object({ reasoning_tokens: z.number().nullish() }).nullish(),
});

export const openAIChatResponseSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          reasoning_content: z.string().nullish(),
          reasoning: z.string().nullish(),
          tool_calls: z
            .array(
              z.object({
                id: z.string().nullish(),
                function: z.object({
                  name: z.string(),
                  // A few servers send the arguments as an object rather than JSON text.
                  arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
                }),
              }),
            )
            .nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: openAIUsageSchema.nullish(),
});

export const openAIChatChunkSchema = z.object({
  // The usage chunk has `choices: []`; some servers leave the field out.
  choices: z
    .array(
      z.object({
        delta: z
          .object({
            content: z.string().nullish(),
            reasoning_content: z.string().nullish(),
            reasoning: z.string().nullish(),
            tool_calls: z
              .array(
                z.object({
                  index: z.number().int().nonnegative().nullish(),
                  id: z.string().nullish(),
                  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
                }),
              )
              .nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: openAIUsageSchema.nullish(),
});

const errorCodeSchema = z.union([z.string(), z.number()]).nullish();

/** The error bodies seen in the wild: OpenAI's envelope, Ollama's `{error: string}`, vLLM's bare `{object: 'error'}`. */
export const openAIErrorBodySchema = z.union([
  z.object({
    error: z.object({
      message: z.string(),
      type: z.string().nullish(),
      param: z.string().nullish(),
      code: errorCodeSchema,
    }),
  }),
  z.object({ error: z.string() }),
  z.object({
    object: z.literal('error'),
    message: z.string(),
    type: z.string().nullish(),
    param: z.string().nullish(),
    code: errorCodeSchema,
  }),
]);

export type OpenAIUsage = z.infer<typeof openAIUsageSchema>;
export type OpenAIChatResponse = z.infer<typeof openAIChatResponseSchema>;
export type OpenAIChatChunk = z.infer<typeof openAIChatChunkSchema>;

import * as z from 'zod';

/*
 * What the gateway reads from Bedrock responses as the AWS SDK deserialises
 * them, validated at the boundary so a malformed response becomes a clean
 * upstream error instead of a TypeError.
 * Objects are not strict: Bedrock adds fields (metrics, trace, new block kinds)
 * that the gateway does not use.
 */

const count = z.number().int().nonnegative();

export const bedrockUsageSchema = z.object({
  inputTokens: count,
  outputTokens: count,
  cacheReadInputTokens: count.optional(),
  cacheWriteInputTokens: count.optional(),
});

/** Redacted reasoning: a blob, as the SDK hands blobs out (bytes), read as base64 text. */
const redactedContent = z.instanceof(Uint8Array).transform((bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'));

const contentBlockSchema = z.object({
  text: z.string().optional(),
  toolUse: z.object({ toolUseId: z.string(), name: z.string(), input: z.unknown() }).optional(),
  reasoningContent: z
    .object({
      reasoningText: z.object({ text: z.string().optional(), signature: z.string().optional() }).optional(),
      redactedContent: redactedContent.optional(),
    })
    .optional(),
});

/** The parts of a Converse response the gateway uses. */
export const converseResponseSchema = z.object({
  output: z.object({
    message: z.object({ content: z.array(contentBlockSchema) }),
  }),
  stopReason: z.string(),
  usage: bedrockUsageSchema,
});

export type ConverseResponse = z.infer<typeof converseResponseSchema>;

/**
 * One ConverseStream event as the SDK yields it; exactly one member is set.
 * Exceptions (`throttlingException`...) come as exception frames, which the
 * SDK throws as its service exceptions, never as events.
 */
export const converseStreamEventSchema = z.object({
  messageStart: z.object({ role: z.string().optional() }).optional(),
  contentBlockStart: z
    .object({
      contentBlockIndex: count,
      start: z.object({ toolUse: z.object({ toolUseId: z.string(), name: z.string() }).optional() }).optional(),
    })
    .optional(),
  contentBlockDelta: z
    .object({
      contentBlockIndex: count,
      delta: z.object({
        text: z.string().optional(),
        toolUse: z.object({ input: z.string() }).optional(),
        reasoningContent: z
          .object({ text: z.string().optional(), signature: z.string().optional(), redactedContent: redactedContent.optional() })
          .optional(),
      }),
    })
    .optional(),
  contentBlockStop: z.object({ contentBlockIndex: count }).optional(),
  messageStop: z.object({ stopReason: z.string() }).optional(),
  metadata: z.object({ usage: bedrockUsageSchema.optional() }).optional(),
});

export type ConverseStreamEvent = z.infer<typeof converseStreamEventSchema>;

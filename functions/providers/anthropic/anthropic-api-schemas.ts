import * as z from 'zod';

/*
 * What the gateway reads from the Anthropic Messages API, validated at the
 * boundary so a malformed response becomes a clean upstream error instead of a
 * TypeError. Objects are not strict (Anthropic adds fields such as
 * `service_tier`), and block, delta and event kinds the gateway does not relay
 * (server tools, citations, future kinds) are accepted and skipped; the kinds
 * it does relay must be well formed.
 */

const count = z.number().int().nonnegative();

/**
 * Accepts any `type` other than the given ones and reads it as `other`, so new
 * kinds pass through (to be skipped) while the union stays discriminated.
 */
const otherType = (known: readonly string[]) =>
  z
    .object({ type: z.string().refine((type) => !known.includes(type)) })
    .transform(({ type }) => ({ type: 'other' as const, originalType: type }));

export const anthropicUsageSchema = z.object({
  input_tokens: count.nullish(),
  output_tokens: count.nullish(),
  cache_creation_input_tokens: count.nullish(),
  cache_read_input_tokens: count.nullish(),
});

const textBlock = z.object({ type: z.literal('text'), text: z.string() });
const thinkingBlock = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().nullish() });
const redactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string() });
const toolUseBlock = z.object({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() });
const relayedBlockTypes = ['text', 'thinking', 'redacted_thinking', 'tool_use'] as const;

const contentBlockSchema = z.union([textBlock, thinkingBlock, redactedThinkingBlock, toolUseBlock, otherType(relayedBlockTypes)]);

/** A Messages API response (`type: message`). */
export const anthropicMessageSchema = z.object({
  type: z.literal('message'),
  content: z.array(contentBlockSchema),
  stop_reason: z.string().nullish(),
  usage: anthropicUsageSchema,
});

const deltaSchema = z.union([
  z.object({ type: z.literal('text_delta'), text: z.string() }),
  z.object({ type: z.literal('thinking_delta'), thinking: z.string() }),
  z.object({ type: z.literal('signature_delta'), signature: z.string() }),
  z.object({ type: z.literal('input_json_delta'), partial_json: z.string() }),
  otherType(['text_delta', 'thinking_delta', 'signature_delta', 'input_json_delta']),
]);

const errorDetailsSchema = z.object({ type: z.string(), message: z.string() });

const streamEventTypes = [
  'message_start',
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
  'message_delta',
  'message_stop',
  'ping',
  'error',
] as const;

/** One event of a streamed Messages response. */
export const anthropicStreamEventSchema = z.union([
  z.object({ type: z.literal('message_start'), message: z.object({ usage: anthropicUsageSchema.nullish() }) }),
  z.object({ type: z.literal('content_block_start'), index: count, content_block: contentBlockSchema }),
  z.object({ type: z.literal('content_block_delta'), index: count, delta: deltaSchema }),
  z.object({ type: z.literal('content_block_stop'), index: count }),
  z.object({
    type: z.literal('message_delta'),
    delta: z.object({ stop_reason: z.string().nullish() }),
    usage: anthropicUsageSchema.nullish(),
  }),
  z.object({ type: z.literal('message_stop') }),
  z.object({ type: z.literal('ping') }),
  z.object({ type: z.literal('error'), error: errorDetailsSchema }),
  otherType(streamEventTypes),
]);

/** Anthropic's error envelope, in error responses and in `error` stream events. */
export const anthropicErrorBodySchema = z.object({ type: z.literal('error'), error: errorDetailsSchema });

export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;
export type AnthropicMessageResponse = z.infer<typeof anthropicMessageSchema>;
export type AnthropicContentBlock = z.infer<typeof contentBlockSchema>;
export type AnthropicStreamEvent = z.infer<typeof anthropicStreamEventSchema>;
export type AnthropicErrorDetails = z.infer<typeof errorDetailsSchema>;

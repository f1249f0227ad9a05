import { UpstreamError } from '../../core/errors.js';
import type { AssistantContentPart, ModelResult } from '../../core/language-model.js';
import { anthropicMessageSchema, type AnthropicContentBlock, type AnthropicMessageResponse } from './anthropic-api-schemas.js';
import { convertAnthropicUsage } from './convert-anthropic-usage.js';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.js';
import { mapAnthropicInBandError, parseAnthropicErrorBody } from './map-anthropic-error.js';

const invalidResponse = (message: string, cause: unknown) =>
  new UpstreamError(502, message, { code: 'upstream_invalid_response', retryable: true, cause });

/** Parses and validates a Messages response body; anything else is a 502 (or the error the body reports). */
export const parseAnthropicResponse = (text: string): AnthropicMessageResponse => {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw invalidResponse('Anthropic returned a response that is not JSON', error);
  }
  const parsed = anthropicMessageSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const details = parseAnthropicErrorBody(body);
  if (details) throw mapAnthropicInBandError(details);
  throw invalidResponse('Anthropic returned a response that is not a message', parsed.error);
};

const convertContentBlock = (block: AnthropicContentBlock): AssistantContentPart | undefined => {
  switch (block.type) {
    case 'text':
      return block.text === '' ? undefined : { type: 'text', text: block.text };
    case 'thinking':
      return block.signature ? { type: 'reasoning', text: block.thinking, signature: block.signature } : { type: 'reasoning', text: block.thinking };
    case 'redacted_thinking':
      return { type: 'reasoning', text: '', redactedData: block.data };
    case 'tool_use':
      return { type: 'tool-call', id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) };
    case 'other':
      // Server-tool blocks and future kinds are not relayed.
      return undefined;
  }
};

/** Converts a validated Messages response to a neutral result, keeping the order of its blocks. */
export const convertAnthropicResponse = (response: AnthropicMessageResponse): ModelResult => ({
  content: response.content.map(convertContentBlock).filter((part): part is AssistantContentPart => part !== undefined),
  finishReason: mapAnthropicFinishReason(response.stop_reason),
  usage: convertAnthropicUsage(response.usage),
});

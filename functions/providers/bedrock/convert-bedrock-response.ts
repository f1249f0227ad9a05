import { UpstreamError } from '../../core/errors.js';
import type { AssistantContentPart, ModelResult } from '../../core/language-model.js';
import { converseResponseSchema, type ConverseResponse } from './bedrock-api-schemas.js';
import { convertBedrockUsage } from './convert-bedrock-usage.js';
import { mapBedrockFinishReason } from './map-bedrock-finish-reason.js';

type ContentBlock = ConverseResponse['output']['message']['content'][number];

const convertContentBlock = (block: ContentBlock): AssistantContentPart | undefined => {
  if (block.toolUse) {
    return { type: 'tool-call', id: block.toolUse.toolUseId, name: block.toolUse.name, arguments: JSON.stringify(block.toolUse.input ?? {}) };
  }
  if (block.reasoningContent?.reasoningText) {
    const { text, signature } = block.reasoningContent.reasoningText;
    return signature === undefined ? { type: 'reasoning', text: text ?? '' } : { type: 'reasoning', text: text ?? '', signature };
  }
  if (block.reasoningContent?.redactedContent !== undefined) {
    return { type: 'reasoning', text: '', redactedData: block.reasoningContent.redactedContent };
  }
  if (block.text) return { type: 'text', text: block.text };
  // Blocks the gateway does not relay (citations, images, empty text) are left out.
  return undefined;
};

/** Validates a Converse response and converts it to a neutral result; a malformed response is a 502. */
export const convertBedrockResponse = (response: unknown): ModelResult => {
  const parsed = converseResponseSchema.safeParse(response);
  if (!parsed.success) {
    throw new UpstreamError(502, 'Bedrock returned a response the gateway could not read.', {
      code: 'upstream_invalid_response',
      cause: parsed.error,
    });
  }
  const { output, stopReason, usage } = parsed.data;
  return {
    content: output.message.content.map(convertContentBlock).filter((part): part is AssistantContentPart => part !== undefined),
    finishReason: mapBedrockFinishReason(stopReason),
    usage: convertBedrockUsage(usage),
  };
};

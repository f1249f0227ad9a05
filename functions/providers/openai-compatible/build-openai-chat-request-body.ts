import type { ModelRequest, ResponseFormat } from '../../core/language-model.js';
import { convertToOpenAIMessages } from './convert-to-openai-messages.js';
import type { MaxTokensField, OpenAIChatRequestBody, OpenAIResponseFormat } from './openai-chat-api-types.js';
import { prepareOpenAITools } from './prepare-openai-tools.js';

export interface OpenAIChatRequestOptions {
  /** The upstream model id. */
  modelId: string;
  maxTokensField: MaxTokensField;
  stream: boolean;
}

const convertResponseFormat = (format: ResponseFormat | undefined): OpenAIResponseFormat | undefined => {
  switch (format?.type) {
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema':
      return {
        type: 'json_schema',
        json_schema: { name: format.name, description: format.description, schema: format.schema, strict: format.strict },
      };
    default:
      // Plain text is the default; leaving it out spares servers that do not know the field.
      return undefined;
  }
};

/**
 * Builds the Chat Completions request body. Fields left undefined here are
 * absent on the wire (`JSON.stringify` drops them).
 */
export const buildOpenAIChatRequestBody = (request: ModelRequest, options: OpenAIChatRequestOptions): OpenAIChatRequestBody => {
  const { maxOutputTokens } = request;
  return {
    model: options.modelId,
    messages: convertToOpenAIMessages(request.messages),
    ...prepareOpenAITools(request),
    max_tokens: options.maxTokensField === 'max_tokens' ? maxOutputTokens : undefined,
    max_completion_tokens: options.maxTokensField === 'max_completion_tokens' ? maxOutputTokens : undefined,
    temperature: request.temperature,
    top_p: request.topP,
    stop: request.stop && request.stop.length > 0 ? request.stop : undefined,
    response_format: convertResponseFormat(request.responseFormat),
    reasoning_effort: request.reasoningEffort,
    user: request.user,
    ...(options.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
};

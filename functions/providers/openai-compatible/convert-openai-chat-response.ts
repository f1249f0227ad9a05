import { UpstreamError } from '../../core/errors.js';
import type { AssistantContentPart, ModelResult } from '../../core/language-model.js';
import { convertOpenAIUsage } from './convert-openai-usage.js';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.js';
import { mapOpenAIInBandError, parseOpenAIErrorBody } from './map-openai-error.js';
import { openAIChatResponseSchema, type OpenAIChatResponse } from './openai-chat-schemas.js';

const invalidResponse = (message: string, cause: unknown) =>
  new UpstreamError(502, message, { code: 'upstream_invalid_response', retryable: true, cause });

/** Parses and validates a Chat Completions response body; anything else is a 502 (or the error the body reports). */
export const parseOpenAIChatResponse = (text: string): OpenAIChatResponse => {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw invalidResponse('upstream returned a response that is not JSON', error);
  }
  const parsed = openAIChatResponseSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const details = parseOpenAIErrorBody(body);
  if (details) throw mapOpenAIInBandError(details);
  throw invalidResponse('upstream returned a response that is not a chat completion', parsed.error);
};

/** Converts the first choice of a response to a neutral result: reasoning, then text, then tool calls. */
export const convertOpenAIChatResponse = (response: OpenAIChatResponse, generateId: () => string): ModelResult => {
  const [choice] = response.choices;
  const { message } = choice;
  const content: AssistantContentPart[] = [];
  const reasoning = message.reasoning_content ?? message.reasoning;
  if (reasoning) content.push({ type: 'reasoning', text: reasoning });
  if (message.content) content.push({ type: 'text', text: message.content });
  for (const toolCall of message.tool_calls ?? []) {
    const rawArguments = toolCall.function.arguments;
    content.push({
      type: 'tool-call',
      id: toolCall.id || generateId(),
      name: toolCall.function.name,
      arguments: typeof rawArguments === 'string' ? rawArguments : JSON.stringify(rawArguments ?? {}),
    });
  }
  return { content, finishReason: mapOpenAIFinishReason(choice.finish_reason), usage: convertOpenAIUsage(response.usage) };
};

import type { ModelRequest } from '../../core/language-model.js';
import { responseFormatInstruction } from '../response-format-instruction.js';
import { claudeThinkingBudget } from '../thinking-budgets.js';
import type { AnthropicMessage, AnthropicMessagesRequestBody, AnthropicToolChoice } from './anthropic-api-types.js';
import { prepareAnthropicTools } from './anthropic-prepare-tools.js';
import { convertToAnthropicMessages } from './convert-to-anthropic-messages.js';

export interface AnthropicRequestOptions {
  modelId: string;
  /** The output cap when the request gives none (Anthropic requires one). */
  defaultMaxTokens: number;
  stream: boolean;
}

/** Anthropic's limit on `metadata.user_id`. */
const maximumUserIdLength = 256;

const startsWithThinking = (turn: AnthropicMessage | undefined): boolean => {
  const first = turn?.content[0];
  return first?.type === 'thinking' || first?.type === 'redacted_thinking';
};

/**
 * Whether thinking may be switched on for this conversation. Anthropic refuses
 * it with a forced tool choice, and in a tool loop whose assistant turn does
 * not start with a (signed) thinking block — a turn produced without thinking,
 * or by a client that dropped the signature.
 */
const thinkingAllowed = (messages: AnthropicMessage[], toolChoice: AnthropicToolChoice | undefined): boolean => {
  if (toolChoice?.type === 'any' || toolChoice?.type === 'tool') return false;
  const last = messages.at(-1);
  const inToolLoop = last?.role === 'user' && last.content.some((block) => block.type === 'tool_result');
  return !inToolLoop || startsWithThinking(messages.at(-2));
};

/**
 * Builds the Messages API request body for a neutral request: system,
 * messages, tools, a JSON instruction for `responseFormat`, sampling
 * parameters, and extended thinking for `reasoningEffort`. Fields left
 * undefined are absent on the wire.
 */
export const prepareAnthropicRequest = (request: ModelRequest, options: AnthropicRequestOptions): AnthropicMessagesRequestBody => {
  const prompt = convertToAnthropicMessages(request.messages);
  const jsonInstruction = responseFormatInstruction(request.responseFormat);
  const system = [prompt.system, jsonInstruction].filter((text) => text !== undefined).join('\n\n');
  const toolFields = prepareAnthropicTools(request, prompt.messages);
  const maxTokens = request.maxOutputTokens ?? options.defaultMaxTokens;
  const thinkingBudget = thinkingAllowed(prompt.messages, toolFields.tool_choice)
    ? claudeThinkingBudget(request.reasoningEffort, maxTokens)
    : undefined;
  // Anthropic refuses a whitespace-only stop sequence.
  const stopSequences = request.stop?.filter((sequence) => sequence.trim() !== '');
  const userId = request.user && request.user.length <= maximumUserIdLength ? request.user : undefined;

  return {
    model: options.modelId,
    max_tokens: maxTokens,
    system: system === '' ? undefined : system,
    messages: prompt.messages,
    ...toolFields,
    // Claude refuses temperature other than 1 and top_p below 0.95 with thinking on;
    // dropping them keeps the request valid and leaves sampling at its defaults.
    temperature: thinkingBudget === undefined ? request.temperature : undefined,
    top_p: thinkingBudget === undefined ? request.topP : undefined,
    stop_sequences: stopSequences && stopSequences.length > 0 ? stopSequences : undefined,
    thinking: thinkingBudget === undefined ? undefined : { type: 'enabled', budget_tokens: thinkingBudget },
    metadata: userId ? { user_id: userId } : undefined,
    ...(options.stream ? { stream: true } : {}),
  };
};

import type { AssistantContentPart, FinishReason, ModelResult, Usage } from '../language-model.js';

/** OpenAI's usage object: prompt_tokens include cached tokens. */
export const toOpenAIUsage = (usage: Usage) => {
  const promptTokens = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: promptTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cacheReadTokens, cache_write_tokens: usage.cacheWriteTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
  };
};

export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

const assistantMessage = (content: AssistantContentPart[]) => {
  const text = content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
  const reasoning = content.flatMap((part) => (part.type === 'reasoning' ? [part.text] : [])).join('');
  const toolCalls = content.flatMap((part) =>
    part.type === 'tool-call' ? [{ id: part.id, type: 'function' as const, function: { name: part.name, arguments: part.arguments } }] : [],
  );
  return {
    role: 'assistant' as const,
    content: text.length > 0 || toolCalls.length === 0 ? text : null,
    ...(reasoning ? { reasoning_content: reasoning } : {}),
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    refusal: null,
  };
};

/** A `chat.completion` object. */
export const toChatCompletion = (identity: CompletionIdentity, result: ModelResult, costUsd: number) => ({
  id: identity.id,
  object: 'chat.completion' as const,
  created: identity.created,
  model: identity.model,
  choices: [{ index: 0, message: assistantMessage(result.content), finish_reason: result.finishReason, logprobs: null }],
  usage: { ...toOpenAIUsage(result.usage), cost_usd: costUsd },
});

type ChunkDelta = Record<string, unknown>;

/** A `chat.completion.chunk` with one choice. */
export const toChunk = (identity: CompletionIdentity, delta: ChunkDelta, finishReason: FinishReason | null = null) => ({
  id: identity.id,
  object: 'chat.completion.chunk' as const,
  created: identity.created,
  model: identity.model,
  choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
});

/** The final chunk of `stream_options.include_usage`: no choices, the usage, and Tollway's cost. */
export const toUsageChunk = (identity: CompletionIdentity, usage: Usage, costUsd: number) => ({
  id: identity.id,
  object: 'chat.completion.chunk' as const,
  created: identity.created,
  model: identity.model,
  choices: [],
  usage: { ...toOpenAIUsage(usage), cost_usd: costUsd },
});

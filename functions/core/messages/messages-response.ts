import type { FinishReason, ModelResult, Usage } from '../language-model.js';

/** What identifies one message to the client. */
export interface MessageIdentity {
  id: string;
  /** The model name the client asked for. */
  model: string;
}

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal' | 'pause_turn';

export const stopReasonOf = (finishReason: FinishReason): StopReason => {
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    case 'stop':
      return 'end_turn';
  }
};

/** Anthropic's usage object; `input_tokens` excludes cache reads and writes, as the neutral usage does. */
export const toMessagesUsage = (usage: Usage) => ({
  input_tokens: usage.inputTokens,
  output_tokens: usage.outputTokens,
  cache_creation_input_tokens: usage.cacheWriteTokens,
  cache_read_input_tokens: usage.cacheReadTokens,
});

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0);

/** The neutral usage of an Anthropic usage object (a response's, or a stream's merged from its events). */
export const fromMessagesUsage = (usage: Record<string, unknown> | undefined): Usage => ({
  inputTokens: count(usage?.input_tokens),
  outputTokens: count(usage?.output_tokens),
  cacheReadTokens: count(usage?.cache_read_input_tokens),
  cacheWriteTokens: count(usage?.cache_creation_input_tokens),
});

/** Arguments text as the `input` object of a `tool_use` block (`{}` when the model sent none or broken JSON). */
export const toolInputOf = (argumentsText: string): Record<string, unknown> => {
  try {
    const parsed: unknown = JSON.parse(argumentsText || '{}');
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/** A neutral result as an Anthropic message. */
export const toMessage = (identity: MessageIdentity, result: ModelResult): Record<string, unknown> => ({
  id: identity.id,
  type: 'message',
  role: 'assistant',
  model: identity.model,
  content: result.content.map((part) => {
    switch (part.type) {
      case 'text':
        return { type: 'text', text: part.text };
      case 'reasoning':
        return part.redactedData !== undefined && part.text === ''
          ? { type: 'redacted_thinking', data: part.redactedData }
          : { type: 'thinking', thinking: part.text, signature: part.signature ?? '' };
      case 'tool-call':
        return { type: 'tool_use', id: part.id, name: part.name, input: toolInputOf(part.arguments) };
    }
  }),
  stop_reason: stopReasonOf(result.finishReason),
  stop_sequence: null,
  usage: toMessagesUsage(result.usage),
});

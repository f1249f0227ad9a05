import type { FinishReason } from '../../core/language-model.js';

/**
 * Maps an OpenAI `finish_reason` to the neutral one. The legacy
 * `function_call` is a tool call; null and values other servers invent
 * (`eos`, `end_turn`...) read as `stop`.
 */
export const mapOpenAIFinishReason = (finishReason: string | null | undefined): FinishReason => {
  switch (finishReason) {
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'stop';
  }
};

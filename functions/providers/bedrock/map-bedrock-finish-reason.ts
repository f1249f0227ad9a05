import type { FinishReason } from '../../core/language-model.js';

/**
 * Maps a Bedrock `stopReason` to the neutral finish reason. Reasons with no
 * OpenAI equivalent (`malformed_model_output`, `malformed_tool_use`, future
 * values) read as `stop`: the turn is over and the content says the rest.
 */
export const mapBedrockFinishReason = (stopReason: string | undefined): FinishReason => {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default:
      return 'stop';
  }
};

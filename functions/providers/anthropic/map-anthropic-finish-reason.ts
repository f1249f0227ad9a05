import type { FinishReason } from '../../core/language-model.js';

/**
 * Maps an Anthropic `stop_reason` to the neutral finish reason. `pause_turn`
 * (a server tool paused a long turn) and unknown future values read as `stop`:
 * the turn is over as far as the client can act on it.
 */
export const mapAnthropicFinishReason = (stopReason: string | null | undefined): FinishReason => {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
};

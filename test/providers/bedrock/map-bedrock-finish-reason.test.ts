import { describe, expect, it } from 'vitest';
import { mapBedrockFinishReason } from '../../../functions/providers/bedrock/map-bedrock-finish-reason.js';

describe('Bedrock finish reason', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
    ['malformed_model_output', 'stop'],
  ])('maps %s to %s', (stopReason, finishReason) => {
    expect(mapBedrockFinishReason(stopReason)).toBe(finishReason);
  });
});

import type { ModelRequest } from '../../core/language-model.js';
import type { OpenAITool, OpenAIToolChoice } from './openai-chat-api-types.js';

export interface OpenAIToolFields {
  tools?: OpenAITool[];
  tool_choice?: OpenAIToolChoice;
  parallel_tool_calls?: boolean;
}

/**
 * The tool fields of a request. Without tools all three are left out: OpenAI
 * rejects `tool_choice` and `parallel_tool_calls` when no tools are given.
 */
export const prepareOpenAITools = ({ tools, toolChoice, parallelToolCalls }: ModelRequest): OpenAIToolFields => {
  if (!tools || tools.length === 0) return {};
  return {
    tools: tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, description: tool.description, parameters: tool.parameters, strict: tool.strict },
    })),
    tool_choice:
      toolChoice === undefined || typeof toolChoice === 'string'
        ? toolChoice
        : { type: 'function', function: { name: toolChoice.name } },
    parallel_tool_calls: parallelToolCalls,
  };
};

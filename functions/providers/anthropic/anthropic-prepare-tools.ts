import { invalidRequest } from '../../core/errors.js';
import type { ModelRequest, ToolDefinition } from '../../core/language-model.js';
import type { AnthropicMessage, AnthropicTool, AnthropicToolChoice } from './anthropic-api-types.js';

export interface AnthropicToolFields {
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
}

const convertTool = (tool: ToolDefinition): AnthropicTool => ({
  name: tool.name,
  description: tool.description,
  input_schema: tool.parameters,
});

const convertToolChoice = (
  { toolChoice, parallelToolCalls }: ModelRequest,
  tools: ToolDefinition[],
): AnthropicToolChoice | undefined => {
  const parallel = parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  if (toolChoice === 'none') return { type: 'none' };
  if (toolChoice === undefined) return parallelToolCalls === false ? { type: 'auto', ...parallel } : undefined;
  if (toolChoice === 'auto') return { type: 'auto', ...parallel };
  if (toolChoice === 'required') return { type: 'any', ...parallel };
  if (!tools.some((tool) => tool.name === toolChoice.name)) {
    throw invalidRequest(`tool_choice names "${toolChoice.name}", which is not among the tools.`, 'tool_choice');
  }
  return { type: 'tool', name: toolChoice.name, ...parallel };
};

const toolNamesInHistory = (messages: AnthropicMessage[]): string[] => {
  const names = new Set<string>();
  for (const message of messages) {
    for (const block of message.content) if (block.type === 'tool_use') names.add(block.name);
  }
  return [...names];
};

/**
 * The `tools` and `tool_choice` of a request. Anthropic refuses a history with
 * tool_use blocks unless tools are defined, so when the request offers none,
 * the tools called in the history are declared (with an open schema) and
 * `tool_choice: none` keeps the model from calling them.
 */
export const prepareAnthropicTools = (request: ModelRequest, messages: AnthropicMessage[]): AnthropicToolFields => {
  const tools = request.tools ?? [];
  if (tools.length > 0) {
    const toolChoice = convertToolChoice(request, tools);
    return toolChoice ? { tools: tools.map(convertTool), tool_choice: toolChoice } : { tools: tools.map(convertTool) };
  }
  if (request.toolChoice === 'required' || typeof request.toolChoice === 'object') {
    throw invalidRequest('tool_choice requires tools.', 'tool_choice');
  }
  const historyNames = toolNamesInHistory(messages);
  if (historyNames.length === 0) return {};
  return {
    tools: historyNames.map((name) => ({ name, input_schema: { type: 'object' } })),
    tool_choice: { type: 'none' },
  };
};

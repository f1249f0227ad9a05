import type { Tool, ToolChoice as BedrockToolChoice, Message, ToolConfiguration } from '@aws-sdk/client-bedrock-runtime';
import { invalidRequest } from '../../core/errors.js';
import type { ToolChoice, ToolDefinition } from '../../core/language-model.js';
import { cachePointBlock, hasToolBlocks, toolNamesInHistory, type DocumentType } from './convert-to-bedrock-messages.js';

const toolSpecs = (tools: ToolDefinition[]): Tool[] =>
  tools.flatMap((tool): Tool[] => {
    const spec: Tool = {
      toolSpec: {
        name: tool.name,
        description: tool.description,
        // A JSON Schema is a JSON document; the document type cannot see that from `unknown` values.
        inputSchema: { json: tool.parameters as DocumentType },
      },
    };
    return tool.cachePoint ? [spec, cachePointBlock] : [spec];
  });

const convertToolChoice = (toolChoice: ToolChoice | undefined, tools: ToolDefinition[]): BedrockToolChoice | undefined => {
  if (toolChoice === undefined || toolChoice === 'none') return undefined;
  if (toolChoice === 'auto') return { auto: {} };
  if (toolChoice === 'required') return { any: {} };
  if (!tools.some((tool) => tool.name === toolChoice.name)) {
    throw invalidRequest(`tool_choice names "${toolChoice.name}", which is not among the tools.`, 'tool_choice');
  }
  return { tool: { name: toolChoice.name } };
};

/**
 * Builds the Converse `toolConfig`. Bedrock has no "none" tool choice, so none
 * withholds the tools; but Bedrock refuses a history with toolUse/toolResult
 * blocks unless a toolConfig is present, so then the tools (or, when the request
 * has none, specs named after the tools in the history) are still sent. A tool
 * with a cache hint is followed by a `cachePoint`.
 */
export const prepareBedrockTools = (
  tools: ToolDefinition[] | undefined,
  toolChoice: ToolChoice | undefined,
  messages: Message[],
): ToolConfiguration | undefined => {
  const givenTools = tools ?? [];
  const historyNeedsTools = hasToolBlocks(messages);

  if (givenTools.length > 0 && (toolChoice !== 'none' || historyNeedsTools)) {
    const choice = convertToolChoice(toolChoice, givenTools);
    return choice ? { tools: toolSpecs(givenTools), toolChoice: choice } : { tools: toolSpecs(givenTools) };
  }
  if (givenTools.length === 0 && toolChoice !== undefined && toolChoice !== 'none' && toolChoice !== 'auto') {
    throw invalidRequest('tool_choice requires tools.', 'tool_choice');
  }
  if (!historyNeedsTools) return undefined;

  const synthesized = toolNamesInHistory(messages).map((name): Tool => ({ toolSpec: { name, inputSchema: { json: { type: 'object' } } } }));
  // Only orphan tool results and no calls: there is no name to offer and Bedrock refuses an empty list.
  if (synthesized.length === 0) return undefined;
  return { tools: synthesized };
};

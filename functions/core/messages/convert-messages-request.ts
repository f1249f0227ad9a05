import { invalidRequest } from '../errors.js';
import type { AssistantContentPart, ModelMessage, ModelRequest, ReasoningEffort, ToolChoice, ToolDefinition, UserContentPart } from '../language-model.js';
import type { MessagesContentBlock, MessagesRequest } from './messages-request-schema.js';

/**
 * Turns a validated Anthropic Messages request into the provider-neutral
 * request, for upstreams that do not speak Messages natively. What has no
 * neutral form (server tools, URL images, unknown blocks) is refused with a
 * 400 naming it, never dropped silently.
 */

const cacheHintOf = (block: object): { cachePoint?: true } => ('cache_control' in block && block.cache_control ? { cachePoint: true } : {});

const imageTypes = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** Thinking budgets as the neutral effort levels (Anthropic's own guidance: 1,024 is the minimum, 16k+ for hard tasks). */
const effortFor = (thinking: MessagesRequest['thinking']): ReasoningEffort | undefined => {
  if (!thinking || thinking.type === 'disabled') return undefined;
  if (thinking.type === 'adaptive') return 'medium';
  const budget = thinking.budget_tokens as number;
  return budget < 4_096 ? 'low' : budget < 16_384 ? 'medium' : 'high';
};

const toToolChoice = (choice: MessagesRequest['tool_choice']): ToolChoice | undefined => {
  if (!choice) return undefined;
  if (choice.type === 'auto') return 'auto';
  if (choice.type === 'any') return 'required';
  if (choice.type === 'none') return 'none';
  return { name: choice.name as string };
};

const toTools = (request: MessagesRequest): ToolDefinition[] | undefined =>
  request.tools?.map((tool, index) => {
    if (tool.type !== undefined && tool.type !== 'custom') {
      throw invalidRequest(`Tools of type "${tool.type}" are served only by Anthropic models; this model takes custom tools.`, `tools[${index}].type`, 'unsupported_tool');
    }
    return {
      name: tool.name,
      description: tool.description,
      parameters: tool.input_schema ?? { type: 'object', properties: {} },
      ...cacheHintOf(tool),
    };
  });

const decodeBase64 = (data: string) => new Uint8Array(Buffer.from(data, 'base64'));

const userPart = (block: MessagesContentBlock, param: string): UserContentPart => {
  if (block.type === 'text') return { type: 'text', text: block.text as string, ...cacheHintOf(block) };
  const source = block.source as { type: string; media_type?: string; data?: string } | undefined;
  if (block.type === 'image') {
    if (source?.type !== 'base64' || !imageTypes.has(source.media_type ?? '')) {
      throw invalidRequest('Images must be base64 png, jpeg, gif or webp for this model.', `${param}.source`, 'unsupported_image');
    }
    return { type: 'image', mediaType: source.media_type as string, data: decodeBase64(source.data as string), ...cacheHintOf(block) };
  }
  if (block.type === 'document') {
    if (source?.type === 'text') return { type: 'text', text: source.data as string, ...cacheHintOf(block) };
    if (source?.type === 'base64') {
      return { type: 'file', mediaType: source.media_type as string, data: decodeBase64(source.data as string), filename: (block.title as string | undefined) ?? undefined, ...cacheHintOf(block) };
    }
    throw invalidRequest('Documents must be base64 or text for this model.', `${param}.source`, 'unsupported_document');
  }
  throw invalidRequest(`Content blocks of type "${block.type}" are not supported by this model.`, `${param}.type`, 'unsupported_content');
};

const assistantPart = (block: MessagesContentBlock, param: string): AssistantContentPart => {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text as string, ...cacheHintOf(block) };
    case 'thinking':
      return { type: 'reasoning', text: block.thinking as string, signature: (block.signature as string | undefined) || undefined };
    case 'redacted_thinking':
      return { type: 'reasoning', text: '', redactedData: block.data as string };
    case 'tool_use':
    case 'mcp_tool_use':
      return { type: 'tool-call', id: block.id as string, name: block.name as string, arguments: JSON.stringify(block.input) };
    default:
      throw invalidRequest(`Content blocks of type "${block.type}" are not supported by this model.`, `${param}.type`, 'unsupported_content');
  }
};

/** A tool result's text; its images go to the user turn that follows. */
const toolResultOf = (block: MessagesContentBlock, param: string): { message: ModelMessage; images: UserContentPart[] } => {
  const content = block.content as string | MessagesContentBlock[] | undefined;
  const blocks = typeof content === 'string' ? [{ type: 'text', text: content }] : (content ?? []);
  const texts: string[] = [];
  const images: UserContentPart[] = [];
  blocks.forEach((inner, index) => {
    if (inner.type === 'text') texts.push(inner.text as string);
    else images.push(userPart(inner, `${param}.content[${index}]`));
  });
  const message: ModelMessage = {
    role: 'tool',
    toolCallId: block.tool_use_id as string,
    content: texts.join('\n'),
    ...(block.is_error === true ? { isError: true } : {}),
    ...cacheHintOf(block),
  };
  return { message, images };
};

/**
 * An assistant turn. The MCP connector puts the gateway's tool results in the
 * assistant's own turn (`mcp_tool_result` after its `mcp_tool_use`); in the
 * neutral form each one ends the assistant message and becomes a tool message.
 */
const assistantTurn = (blocks: MessagesContentBlock[], param: (index: number) => string): ModelMessage[] => {
  const messages: ModelMessage[] = [];
  let parts: AssistantContentPart[] = [];
  blocks.forEach((block, index) => {
    if (block.type !== 'mcp_tool_result') {
      parts.push(assistantPart(block, param(index)));
      return;
    }
    if (parts.length > 0) messages.push({ role: 'assistant', content: parts });
    parts = [];
    messages.push(toolResultOf(block, param(index)).message);
  });
  if (parts.length > 0 || messages.length === 0) messages.push({ role: 'assistant', content: parts });
  return messages;
};

const toMessages = (request: MessagesRequest): ModelMessage[] => {
  const messages: ModelMessage[] = [];
  const system = request.system;
  if (typeof system === 'string') messages.push({ role: 'system', content: system });
  else for (const block of system ?? []) messages.push({ role: 'system', content: block.text, ...cacheHintOf(block) });
  request.messages.forEach((message, messageIndex) => {
    const blocks: MessagesContentBlock[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    const param = (index: number) => `messages[${messageIndex}].content[${index}]`;
    if (message.role === 'assistant') {
      messages.push(...assistantTurn(blocks, param));
      return;
    }
    // Tool results answer the assistant turn before; the rest of the user turn follows them.
    const rest: UserContentPart[] = [];
    blocks.forEach((block, index) => {
      if (block.type !== 'tool_result') {
        rest.push(userPart(block, param(index)));
        return;
      }
      const result = toolResultOf(block, param(index));
      messages.push(result.message);
      rest.push(...result.images);
    });
    if (rest.length > 0) messages.push({ role: 'user', content: rest });
  });
  return messages;
};

/** The neutral request for an Anthropic Messages request. */
export const toModelRequestFromMessages = (request: MessagesRequest): ModelRequest => ({
  messages: toMessages(request),
  tools: toTools(request),
  toolChoice: toToolChoice(request.tool_choice),
  parallelToolCalls: request.tool_choice && 'disable_parallel_tool_use' in request.tool_choice && request.tool_choice.disable_parallel_tool_use ? false : undefined,
  maxOutputTokens: request.max_tokens,
  temperature: request.temperature,
  topP: request.top_p,
  stop: request.stop_sequences,
  reasoningEffort: effortFor(request.thinking),
  user: request.metadata?.user_id ?? undefined,
});

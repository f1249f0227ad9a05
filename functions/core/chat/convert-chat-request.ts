import { invalidRequest } from '../errors.js';
import type { AssistantContentPart, ModelMessage, ModelRequest, ToolChoice, UserContentPart } from '../language-model.js';
import type { ChatMessage, ChatRequest, FunctionTool } from './chat-request-schema.js';

const dataUrlPattern = /^data:(image\/(?:png|jpeg|jpg|gif|webp));base64,([A-Za-z0-9+/=\s]+)$/;
const fileDataUrlPattern = /^data:([a-z]+\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/=\s]+)$/i;

/** `cache_control` given on a part, message or tool: a cache point after it. */
const cacheHintOf = (value: { cache_control?: unknown }): { cachePoint?: true } => (value.cache_control ? { cachePoint: true } : {});

/** Turns a validated OpenAI chat request into the provider-neutral request. */
export const toModelRequest = (chat: ChatRequest, defaultMaxOutputTokens: number): ModelRequest => ({
  messages: chat.messages.map((message, index) => toModelMessage(message, index)),
  tools: functionToolsOf(chat)?.map((tool) => ({
    name: tool.function.name,
    description: tool.function.description,
    parameters: tool.function.parameters ?? { type: 'object', properties: {} },
    strict: tool.function.strict ?? undefined,
    ...cacheHintOf(tool),
  })),
  toolChoice: toToolChoice(chat),
  parallelToolCalls: chat.parallel_tool_calls ?? undefined,
  maxOutputTokens: chat.max_completion_tokens ?? chat.max_tokens ?? defaultMaxOutputTokens,
  temperature: chat.temperature ?? undefined,
  topP: chat.top_p ?? undefined,
  stop: chat.stop == null ? undefined : typeof chat.stop === 'string' ? [chat.stop] : chat.stop,
  responseFormat: toResponseFormat(chat),
  reasoningEffort: chat.reasoning_effort ?? undefined,
  user: chat.user ?? undefined,
});

/** The client's own function tools (MCP and file_search tools are the gateway's to run). */
export const functionToolsOf = (chat: ChatRequest): FunctionTool[] | undefined => {
  const tools = chat.tools?.filter((tool): tool is FunctionTool => tool.type === 'function');
  return tools?.length ? tools : undefined;
};

const textOf = (content: string | { text: string }[]): string =>
  typeof content === 'string' ? content : content.map((part) => part.text).join('');

/** A message whose text is flattened is cached after its end when it or any of its parts asks to be. */
const flattenedCacheHint = (message: { cache_control?: unknown; content: string | { cache_control?: unknown }[] }) =>
  cacheHintOf(message).cachePoint || (typeof message.content !== 'string' && message.content.some((part) => part.cache_control)) ? { cachePoint: true as const } : {};

const toModelMessage = (message: ChatMessage, index: number): ModelMessage => {
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: textOf(message.content), ...flattenedCacheHint(message) };
    case 'user':
      return { role: 'user', content: withMessageCacheHint(toUserContent(message.content, index), message) };
    case 'tool':
      return { role: 'tool', toolCallId: message.tool_call_id, content: textOf(message.content), ...flattenedCacheHint(message) };
    case 'assistant':
      return { role: 'assistant', content: withMessageCacheHint(toAssistantContent(message), message) };
  }
};

/** `cache_control` on a whole message puts the cache point after its last part. */
const withMessageCacheHint = <Part extends AssistantContentPart | UserContentPart>(parts: Part[], message: { cache_control?: unknown }): Part[] => {
  const last = parts.at(-1);
  if (!cacheHintOf(message).cachePoint || !last || (last.type !== 'text' && last.type !== 'image' && last.type !== 'file')) return parts;
  return [...parts.slice(0, -1), { ...last, cachePoint: true }];
};

const toUserContent = (content: Extract<ChatMessage, { role: 'user' }>['content'], messageIndex: number): UserContentPart[] => {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part, partIndex): UserContentPart => {
    const param = `messages[${messageIndex}].content[${partIndex}]`;
    if (part.type === 'text') return { type: 'text', text: part.text as string, ...cacheHintOf(part) };
    if (part.type === 'image_url') return { ...decodeImage((part.image_url as { url: string }).url, `${param}.image_url.url`), ...cacheHintOf(part) };
    if (part.type === 'file') return { ...decodeFile(part.file as FileReference, `${param}.file`), ...cacheHintOf(part) };
    throw invalidRequest(`Content parts of type "${part.type}" are not supported.`, `${param}.type`, 'unsupported_content');
  });
};

export const decodeImage = (url: string, param: string): UserContentPart => {
  const match = dataUrlPattern.exec(url);
  if (!match) throw invalidRequest('Images must be given as data: URLs (data:image/png;base64,...) of type png, jpeg, gif or webp.', param, 'unsupported_image_url');
  const mediaType = match[1] === 'image/jpg' ? 'image/jpeg' : match[1];
  return { type: 'image', mediaType, data: new Uint8Array(Buffer.from(match[2], 'base64')) };
};

export interface FileReference {
  file_data?: string;
  file_id?: string;
  filename?: string;
}

export const decodeFile = (file: FileReference, param: string): UserContentPart => {
  if (file.file_data === undefined) {
    throw invalidRequest('Files must be given inline as file_data (a data: URL); file_id is not supported.', `${param}.file_data`, 'unsupported_file');
  }
  const match = fileDataUrlPattern.exec(file.file_data);
  if (!match) throw invalidRequest('file_data must be a base64 data: URL (data:application/pdf;base64,...).', `${param}.file_data`, 'unsupported_file');
  return { type: 'file', mediaType: match[1].toLowerCase(), data: new Uint8Array(Buffer.from(match[2], 'base64')), filename: file.filename };
};

const toAssistantContent = (message: Extract<ChatMessage, { role: 'assistant' }>): AssistantContentPart[] => {
  const parts: AssistantContentPart[] = [];
  if (message.reasoning_content) parts.push({ type: 'reasoning', text: message.reasoning_content });
  const content = message.content;
  const text =
    content == null ? '' : typeof content === 'string' ? content : content.map((part) => ('text' in part ? String(part.text) : '')).join('');
  if (text) parts.push({ type: 'text', text, ...(Array.isArray(content) && content.some((part) => part.cache_control) ? { cachePoint: true } : {}) });
  for (const call of message.tool_calls ?? []) {
    parts.push({ type: 'tool-call', id: call.id, name: call.function.name, arguments: call.function.arguments });
  }
  return parts;
};

const toToolChoice = (chat: ChatRequest): ToolChoice | undefined => {
  const choice = chat.tool_choice;
  if (choice == null) return undefined;
  if (typeof choice === 'string') return choice;
  const name = choice.function.name;
  // An MCP tool is named `<server>__<tool>`; that it exists is checked once the server has listed its tools.
  const mcpServers = chat.tools?.flatMap((tool) => (tool.type === 'mcp' ? [tool.server_label] : [])) ?? [];
  if (!functionToolsOf(chat)?.some((tool) => tool.function.name === name) && !mcpServers.some((server) => name.startsWith(`${server}__`))) {
    throw invalidRequest(`tool_choice names "${name}", which is not in "tools".`, 'tool_choice');
  }
  return { name };
};

const toResponseFormat = (chat: ChatRequest): ModelRequest['responseFormat'] => {
  const format = chat.response_format;
  if (!format) return undefined;
  if (format.type !== 'json_schema') return { type: format.type };
  const spec = format.json_schema as { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean | null };
  return { type: 'json_schema', name: spec.name, description: spec.description, schema: spec.schema ?? { type: 'object' }, strict: spec.strict ?? undefined };
};

import { invalidRequest } from '../../core/errors.js';
import type { AssistantContentPart, FilePart, ModelMessage, UserContentPart } from '../../core/language-model.js';
import type {
  AnthropicAssistantBlock,
  AnthropicImageMediaType,
  AnthropicMessage,
  AnthropicUserBlock,
} from './anthropic-api-types.js';

export interface AnthropicPrompt {
  /** The system messages joined, or undefined when there are none. */
  system: string | undefined;
  messages: AnthropicMessage[];
}

const imageMediaTypes: Record<string, AnthropicImageMediaType> = {
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
  'image/png': 'image/png',
  'image/gif': 'image/gif',
  'image/webp': 'image/webp',
};

// Anthropic rejects empty text blocks ("text content blocks must be non-empty").
const isBlank = (text: string): boolean => text.trim() === '';

const toBase64 = (data: Uint8Array): string => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');

const convertFilePart = (part: FilePart, param: string): AnthropicUserBlock => {
  const title = part.filename ? { title: part.filename } : {};
  if (part.mediaType === 'application/pdf') return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: toBase64(part.data) }, ...title };
  if (part.mediaType.startsWith('text/')) return { type: 'document', source: { type: 'text', media_type: 'text/plain', data: new TextDecoder().decode(part.data) }, ...title };
  throw invalidRequest(`File type ${part.mediaType} is not supported by Anthropic; use PDF or plain text.`, param, 'unsupported_file');
};

const convertUserPart = (part: UserContentPart, param: string): AnthropicUserBlock | undefined => {
  if (part.type === 'text') return isBlank(part.text) ? undefined : { type: 'text', text: part.text };
  if (part.type === 'file') return convertFilePart(part, param);
  const mediaType = imageMediaTypes[part.mediaType.toLowerCase()];
  if (!mediaType) {
    throw invalidRequest(`Image type ${part.mediaType} is not supported by Anthropic; use PNG, JPEG, GIF or WebP.`, param);
  }
  return { type: 'image', source: { type: 'base64', media_type: mediaType, data: toBase64(part.data) } };
};

/** Parses tool-call arguments into the object Anthropic's `tool_use.input` needs. */
const parseToolArguments = (argumentsText: string, param: string): Record<string, unknown> => {
  if (isBlank(argumentsText)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(argumentsText);
  } catch {
    throw invalidRequest('Tool call arguments are not valid JSON.', param);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidRequest('Tool call arguments must be a JSON object.', param);
  }
  return parsed as Record<string, unknown>;
};

const convertAssistantParts = (parts: AssistantContentPart[], messageIndex: number): AnthropicAssistantBlock[] => {
  const blocks: AnthropicAssistantBlock[] = [];
  let toolCallIndex = 0;
  for (const part of parts) {
    if (part.type === 'text') {
      if (!isBlank(part.text)) blocks.push({ type: 'text', text: part.text });
    } else if (part.type === 'reasoning') {
      // Anthropic verifies thinking against its signature, so unsigned reasoning
      // (from another provider, or a client that dropped the signature) cannot go back.
      if (part.redactedData) blocks.push({ type: 'redacted_thinking', data: part.redactedData });
      else if (part.signature) blocks.push({ type: 'thinking', thinking: part.text, signature: part.signature });
    } else {
      const param = `messages[${messageIndex}].tool_calls[${toolCallIndex}].function.arguments`;
      toolCallIndex += 1;
      blocks.push({ type: 'tool_use', id: part.id, name: part.name, input: parseToolArguments(part.arguments, param) });
    }
  }
  return blocks;
};

const convertMessage = (message: Exclude<ModelMessage, { role: 'system' }>, messageIndex: number): AnthropicMessage => {
  switch (message.role) {
    case 'user':
      return {
        role: 'user',
        content: message.content
          .map((part, partIndex) => convertUserPart(part, `messages[${messageIndex}].content[${partIndex}]`))
          .filter((block): block is AnthropicUserBlock => block !== undefined),
      };
    case 'assistant':
      return { role: 'assistant', content: convertAssistantParts(message.content, messageIndex) };
    case 'tool':
      return {
        role: 'user',
        content: [
          isBlank(message.content)
            ? { type: 'tool_result', tool_use_id: message.toolCallId }
            : { type: 'tool_result', tool_use_id: message.toolCallId, content: message.content },
        ],
      };
  }
};

const appendTurn = (turns: AnthropicMessage[], next: AnthropicMessage): void => {
  const previous = turns.at(-1);
  if (previous?.role === 'user' && next.role === 'user') {
    // Anthropic wants a turn's tool results before anything else in it.
    const blocks = [...previous.content, ...next.content];
    previous.content = [...blocks.filter((block) => block.type === 'tool_result'), ...blocks.filter((block) => block.type !== 'tool_result')];
  } else if (previous?.role === 'assistant' && next.role === 'assistant') {
    previous.content = [...previous.content, ...next.content];
  } else {
    turns.push(next);
  }
};

// Anthropic also rejects trailing whitespace in a final (prefilled) assistant turn.
const trimFinalAssistantTurn = (turns: AnthropicMessage[]): void => {
  const last = turns.at(-1);
  if (last?.role !== 'assistant') return;
  const lastBlock = last.content.at(-1);
  if (lastBlock?.type !== 'text') return;
  const trimmed = lastBlock.text.trimEnd();
  last.content = trimmed === '' ? last.content.slice(0, -1) : [...last.content.slice(0, -1), { type: 'text', text: trimmed }];
  if (last.content.length === 0) turns.pop();
};

/**
 * Converts neutral messages into Anthropic's top-level `system` and `messages`:
 * system messages are joined in order, tool results become user turns, and
 * consecutive turns of one role are merged because Anthropic requires alternation.
 */
export const convertToAnthropicMessages = (messages: ModelMessage[]): AnthropicPrompt => {
  const system: string[] = [];
  const turns: AnthropicMessage[] = [];
  messages.forEach((message, messageIndex) => {
    if (message.role === 'system') {
      if (!isBlank(message.content)) system.push(message.content);
      return;
    }
    const next = convertMessage(message, messageIndex);
    if (next.content.length > 0) appendTurn(turns, next);
  });
  trimFinalAssistantTurn(turns);
  return { system: system.length > 0 ? system.join('\n\n') : undefined, messages: turns };
};

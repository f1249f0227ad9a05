import { invalidRequest } from '../../core/errors.js';
import type { AssistantContentPart, ModelMessage, UserContentPart } from '../../core/language-model.js';
import type { ContentBlock, ImageFormat, JsonDocument, Message, SystemContentBlock } from './bedrock-wire-types.js';

export interface BedrockPrompt {
  system: SystemContentBlock[];
  messages: Message[];
}

const imageFormats: Record<string, ImageFormat> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** Bytes as base64, the way blobs travel in Bedrock's JSON. */
const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

// Bedrock rejects blank text blocks ("The text field in the ContentBlock object is blank").
const isBlank = (text: string): boolean => text.trim() === '';

const convertUserPart = (part: UserContentPart, param: string): ContentBlock | undefined => {
  if (part.type === 'text') return isBlank(part.text) ? undefined : { text: part.text };
  const format = imageFormats[part.mediaType.toLowerCase()];
  if (!format) {
    throw invalidRequest(`Image type ${part.mediaType} is not supported by Bedrock; use PNG, JPEG, GIF or WebP.`, param);
  }
  return { image: { format, source: { bytes: toBase64(part.data) } } };
};

/** Parses tool-call arguments into the object Bedrock's `toolUse.input` needs. */
const parseToolArguments = (argumentsText: string, param: string): JsonDocument => {
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
  // JSON.parse only yields JSON values; the recursive document type cannot see that from `unknown`.
  return parsed as JsonDocument;
};

const convertAssistantParts = (parts: AssistantContentPart[], messageIndex: number): ContentBlock[] => {
  const blocks: ContentBlock[] = [];
  let toolCallIndex = 0;
  for (const part of parts) {
    if (part.type === 'text') {
      if (!isBlank(part.text)) blocks.push({ text: part.text });
    } else if (part.type === 'reasoning') {
      if (part.redactedData) {
        // Decoded and encoded again, as the SDK did: padding restored, base64url and stray characters normalised.
        blocks.push({ reasoningContent: { redactedContent: Buffer.from(part.redactedData, 'base64').toString('base64') } });
      } else if (part.text !== '' || part.signature) {
        blocks.push({ reasoningContent: { reasoningText: { text: part.text, signature: part.signature } } });
      }
    } else {
      const param = `messages[${messageIndex}].tool_calls[${toolCallIndex}].function.arguments`;
      toolCallIndex += 1;
      blocks.push({ toolUse: { toolUseId: part.id, name: part.name, input: parseToolArguments(part.arguments, param) } });
    }
  }
  return blocks;
};

const convertMessage = (message: Exclude<ModelMessage, { role: 'system' }>, messageIndex: number): Message => {
  if (message.role === 'user') {
    const content = message.content
      .map((part, partIndex) => convertUserPart(part, `messages[${messageIndex}].content[${partIndex}]`))
      .filter((block): block is ContentBlock => block !== undefined);
    return { role: 'user', content };
  }
  if (message.role === 'assistant') {
    return { role: 'assistant', content: convertAssistantParts(message.content, messageIndex) };
  }
  return { role: 'user', content: [{ toolResult: { toolUseId: message.toolCallId, content: [{ text: message.content }] } }] };
};

// Bedrock also rejects trailing whitespace in a final (prefilled) assistant message.
const trimFinalAssistantMessage = (messages: Message[]): void => {
  const last = messages.at(-1);
  if (last?.role !== 'assistant') return;
  const lastBlock = last.content.at(-1);
  if (lastBlock?.text === undefined) return;
  const trimmed = lastBlock.text.trimEnd();
  last.content = trimmed === '' ? last.content.slice(0, -1) : [...last.content.slice(0, -1), { text: trimmed }];
  if (last.content.length === 0) messages.pop();
};

/**
 * Converts neutral messages into Bedrock Converse `system` and `messages`: system
 * messages are collected in order, tool results become user turns, and
 * consecutive turns of one role are merged because Bedrock requires alternation.
 */
export const convertToBedrockMessages = (messages: ModelMessage[]): BedrockPrompt => {
  const system: SystemContentBlock[] = [];
  const converted: Message[] = [];
  messages.forEach((message, messageIndex) => {
    if (message.role === 'system') {
      if (!isBlank(message.content)) system.push({ text: message.content });
      return;
    }
    const next = convertMessage(message, messageIndex);
    if (next.content.length === 0) return;
    const previous = converted.at(-1);
    if (previous && previous.role === next.role) {
      previous.content = [...previous.content, ...next.content];
    } else {
      converted.push(next);
    }
  });
  trimFinalAssistantMessage(converted);
  return { system, messages: converted };
};

/** Whether the converted history holds tool calls or tool results (Bedrock then needs a toolConfig). */
export const hasToolBlocks = (messages: Message[]): boolean =>
  messages.some((message) => message.content.some((block) => block.toolUse !== undefined || block.toolResult !== undefined));

/** Names of the tools called in the converted history, in order of first use. */
export const toolNamesInHistory = (messages: Message[]): string[] => {
  const names = new Set<string>();
  for (const message of messages) {
    for (const block of message.content) {
      if (block.toolUse?.name) names.add(block.toolUse.name);
    }
  }
  return [...names];
};

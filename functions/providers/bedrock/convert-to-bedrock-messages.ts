import type { ContentBlock, DocumentFormat, ImageFormat, Message, SystemContentBlock, ToolResultContentBlock, ToolUseBlock } from '@aws-sdk/client-bedrock-runtime';
import { invalidRequest } from '../../core/errors.js';
import type { AssistantContentPart, CacheHint, FilePart, ModelMessage, UserContentPart } from '../../core/language-model.js';

/** A JSON value as the SDK types documents: tool inputs, tool schemas, model-specific fields. */
export type DocumentType = NonNullable<ToolUseBlock['input']>;

export interface BedrockPrompt {
  system: SystemContentBlock[];
  messages: Message[];
}

/** How a model family takes tool results: Claude reads `status: "error"`; other models refuse the field. */
export interface BedrockMessageOptions {
  toolResultStatus: boolean;
}

/** A Converse cache point: the prompt up to here is cached. */
export const cachePointBlock = { cachePoint: { type: 'default' } } as const;

const imageFormats: Record<string, ImageFormat> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

const documentFormats: Record<string, DocumentFormat> = {
  'application/pdf': 'pdf',
  'text/csv': 'csv',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'text/html': 'html',
  'text/plain': 'txt',
  'text/markdown': 'md',
};

// Bedrock rejects blank text blocks ("The text field in the ContentBlock object is blank").
const isBlank = (text: string): boolean => text.trim() === '';

/**
 * A document name Bedrock accepts: letters, digits, single spaces, hyphens,
 * parentheses and square brackets. Each document of a request needs its own.
 */
const documentName = (part: FilePart, index: number): string => {
  const base = (part.filename ?? '').replace(/\.[A-Za-z0-9]+$/, '').replace(/[^A-Za-z0-9\s()[\]-]/g, ' ').replace(/\s+/g, ' ').trim();
  return `${base || 'document'} ${index}`.slice(0, 200);
};

const withCachePoint = <Block>(blocks: Block[], hint: CacheHint): Array<Block | typeof cachePointBlock> =>
  hint.cachePoint ? [...blocks, cachePointBlock] : blocks;

interface Numbering {
  documents: number;
}

const convertUserPart = (part: UserContentPart, param: string, numbering: Numbering): ContentBlock[] => {
  if (part.type === 'text') return isBlank(part.text) ? [] : withCachePoint<ContentBlock>([{ text: part.text }], part);
  if (part.type === 'image') {
    const format = imageFormats[part.mediaType.toLowerCase()];
    if (!format) throw invalidRequest(`Image type ${part.mediaType} is not supported by Bedrock; use PNG, JPEG, GIF or WebP.`, param);
    return withCachePoint<ContentBlock>([{ image: { format, source: { bytes: part.data } } }], part);
  }
  const format = documentFormats[part.mediaType];
  if (!format) {
    throw invalidRequest(`File type ${part.mediaType} is not supported by Bedrock; use PDF, CSV, DOC, DOCX, XLS, XLSX, HTML, TXT or Markdown.`, param, 'unsupported_file');
  }
  numbering.documents += 1;
  return withCachePoint<ContentBlock>([{ document: { format, name: documentName(part, numbering.documents), source: { bytes: part.data } } }], part);
};

/** Parses tool-call arguments into the object Bedrock's `toolUse.input` needs. */
const parseToolArguments = (argumentsText: string, param: string): DocumentType => {
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
  // JSON.parse only yields JSON values; the document type cannot see that from `unknown`.
  return parsed as DocumentType;
};

const convertAssistantParts = (parts: AssistantContentPart[], messageIndex: number): ContentBlock[] => {
  const blocks: ContentBlock[] = [];
  let toolCallIndex = 0;
  for (const part of parts) {
    if (part.type === 'text') {
      if (!isBlank(part.text)) blocks.push(...withCachePoint<ContentBlock>([{ text: part.text }], part));
    } else if (part.type === 'reasoning') {
      if (part.redactedData) {
        blocks.push({ reasoningContent: { redactedContent: new Uint8Array(Buffer.from(part.redactedData, 'base64')) } });
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

/** A tool's output as JSON when it is a JSON object (models read structure better), as text otherwise. */
const toolResultContent = (content: string): ToolResultContentBlock => {
  if (content.trimStart().startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(content);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return { json: parsed as DocumentType };
    } catch {
      // Not JSON after all: sent as the text it is.
    }
  }
  return { text: content };
};

const convertMessage = (message: Exclude<ModelMessage, { role: 'system' }>, messageIndex: number, numbering: Numbering, options: BedrockMessageOptions): Message => {
  if (message.role === 'user') {
    const content = message.content.flatMap((part, partIndex) => convertUserPart(part, `messages[${messageIndex}].content[${partIndex}]`, numbering));
    return { role: 'user', content };
  }
  if (message.role === 'assistant') {
    return { role: 'assistant', content: convertAssistantParts(message.content, messageIndex) };
  }
  const status = options.toolResultStatus && message.isError ? { status: 'error' as const } : {};
  return {
    role: 'user',
    content: withCachePoint<ContentBlock>([{ toolResult: { toolUseId: message.toolCallId, content: [toolResultContent(message.content)], ...status } }], message),
  };
};

// Bedrock also rejects trailing whitespace in a final (prefilled) assistant message.
const trimFinalAssistantMessage = (messages: Message[]): void => {
  const last = messages.at(-1);
  if (last?.role !== 'assistant' || !last.content) return;
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
 * A part or message with a cache hint is followed by a `cachePoint`.
 */
export const convertToBedrockMessages = (messages: ModelMessage[], options: BedrockMessageOptions = { toolResultStatus: false }): BedrockPrompt => {
  const system: SystemContentBlock[] = [];
  const converted: Message[] = [];
  const numbering: Numbering = { documents: 0 };
  messages.forEach((message, messageIndex) => {
    if (message.role === 'system') {
      if (!isBlank(message.content)) system.push(...withCachePoint<SystemContentBlock>([{ text: message.content }], message));
      return;
    }
    const next = convertMessage(message, messageIndex, numbering, options);
    if (!next.content || next.content.length === 0) return;
    const previous = converted.at(-1);
    if (previous && previous.role === next.role) {
      previous.content = [...(previous.content ?? []), ...next.content];
    } else {
      converted.push(next);
    }
  });
  trimFinalAssistantMessage(converted);
  return { system, messages: converted };
};

/** Whether the converted history holds tool calls or tool results (Bedrock then needs a toolConfig). */
export const hasToolBlocks = (messages: Message[]): boolean =>
  messages.some((message) => (message.content ?? []).some((block) => block.toolUse !== undefined || block.toolResult !== undefined));

/** Names of the tools called in the converted history, in order of first use. */
export const toolNamesInHistory = (messages: Message[]): string[] => {
  const names = new Set<string>();
  for (const message of messages) {
    for (const block of message.content ?? []) {
      if (block.toolUse?.name) names.add(block.toolUse.name);
    }
  }
  return [...names];
};

/*
 * The Converse request as it travels to Bedrock (REST JSON), for the parts the
 * gateway sends. Blobs are base64 text on the wire (`image.source.bytes`,
 * `reasoningContent.redactedContent`), where the AWS SDK's types held bytes.
 * Each content block sets exactly one member. What comes back is read with the
 * zod schemas of bedrock-api-schemas.ts.
 */

/** A JSON value: tool schemas, tool inputs, model-specific request fields. */
export type JsonDocument = null | boolean | number | string | JsonDocument[] | { [key: string]: JsonDocument };

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

export interface ImageBlock {
  format: ImageFormat;
  /** The image, base64. */
  source: { bytes: string };
}

export interface ToolUseBlock {
  toolUseId: string;
  name: string;
  input: JsonDocument;
}

export interface ToolResultBlock {
  toolUseId: string;
  content: Array<{ text: string }>;
}

export interface ReasoningContentBlock {
  reasoningText?: { text: string; signature?: string };
  /** Encrypted reasoning, base64, sent back as the model gave it. */
  redactedContent?: string;
}

export interface ContentBlock {
  text?: string;
  image?: ImageBlock;
  toolUse?: ToolUseBlock;
  toolResult?: ToolResultBlock;
  reasoningContent?: ReasoningContentBlock;
}

export interface SystemContentBlock {
  text: string;
}

export interface Message {
  role: 'user' | 'assistant';
  content: ContentBlock[];
}

export interface Tool {
  toolSpec: { name: string; description?: string; inputSchema: { json: JsonDocument } };
}

export type ToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

export interface ToolConfiguration {
  tools: Tool[];
  toolChoice?: ToolChoice;
}

export interface InferenceConfiguration {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

/** The body of Converse and ConverseStream; the model id travels in the path. */
export interface ConverseRequest {
  messages: Message[];
  system?: SystemContentBlock[];
  inferenceConfig?: InferenceConfiguration;
  toolConfig?: ToolConfiguration;
  additionalModelRequestFields?: { [key: string]: JsonDocument };
  requestMetadata?: Record<string, string>;
}

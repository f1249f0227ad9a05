/**
 * The provider contract: everything the core knows about a model upstream.
 * Providers implement `LanguageModel`; the core never imports a provider.
 * The vocabulary is provider-neutral; finish reasons use OpenAI's values because
 * they are the lingua franca clients expect.
 */

/**
 * A prompt-cache breakpoint after the part, message or tool that carries it:
 * the client's `cache_control: {"type": "ephemeral"}`, Bedrock's `cachePoint`.
 */
export interface CacheHint {
  cachePoint?: boolean;
}

export interface TextPart extends CacheHint {
  type: 'text';
  text: string;
}

export interface ImagePart extends CacheHint {
  type: 'image';
  /** e.g. `image/png` */
  mediaType: string;
  data: Uint8Array;
}

/** A document given whole: PDF, CSV, DOCX, plain text... */
export interface FilePart extends CacheHint {
  type: 'file';
  /** e.g. `application/pdf` */
  mediaType: string;
  data: Uint8Array;
  filename?: string;
}

export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  /** Opaque signature some providers need echoed back on the next turn. */
  signature?: string;
  /** Encrypted reasoning some providers return instead of text. */
  redactedData?: string;
}

export interface ToolCallPart {
  type: 'tool-call';
  id: string;
  name: string;
  /** The JSON text of the arguments, exactly as the model produced it. */
  arguments: string;
}

export type UserContentPart = TextPart | ImagePart | FilePart;
export type AssistantContentPart = TextPart | ReasoningPart | ToolCallPart;

export type ModelMessage =
  | ({ role: 'system'; content: string } & CacheHint)
  | { role: 'user'; content: UserContentPart[] }
  | { role: 'assistant'; content: AssistantContentPart[] }
  | ({
      role: 'tool';
      toolCallId: string;
      content: string;
      /** The tool failed (an MCP result with `isError`); the content says how. */
      isError?: boolean;
    } & CacheHint);

export interface ToolDefinition extends CacheHint {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  strict?: boolean;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; description?: string; schema: Record<string, unknown>; strict?: boolean };

export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high';

/** A provider-neutral generation request. */
export interface ModelRequest {
  messages: ModelMessage[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  responseFormat?: ResponseFormat;
  reasoningEffort?: ReasoningEffort;
  /** End-user id, passed through where the upstream accepts one. */
  user?: string;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/**
 * Token usage. `inputTokens` excludes cached tokens; cache reads and writes are
 * counted separately so they can be priced separately.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Output tokens spent on reasoning, when the provider reports them (included in outputTokens). */
  reasoningTokens?: number;
}

export interface ModelResult {
  content: AssistantContentPart[];
  finishReason: FinishReason;
  usage: Usage;
}

/** One event of a streamed generation. Tool calls are numbered in order of appearance from 0. */
export type StreamPart =
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  | { type: 'reasoning-signature'; signature: string }
  | { type: 'tool-call-start'; index: number; id: string; name: string }
  | { type: 'tool-call-delta'; index: number; argumentsDelta: string }
  | { type: 'tool-call-end'; index: number }
  | { type: 'finish'; finishReason: FinishReason; usage: Usage };

export interface CallOptions {
  /** Aborted when the client goes away or a timeout fires. */
  abortSignal?: AbortSignal;
}

/** A model upstream. Errors are thrown as `UpstreamError` (or `GatewayError` for bad requests). */
export interface LanguageModel {
  /** Provider name as in the config (`bedrock`, `openai-compatible`, `echo`...). */
  readonly provider: string;
  /** The upstream model id. */
  readonly modelId: string;
  generate(request: ModelRequest, options?: CallOptions): Promise<ModelResult>;
  /**
   * Starts a streamed generation. The promise settles once the upstream has
   * accepted the request, so errors before the first token reject it; errors
   * after that are thrown from the iterator.
   */
  stream(request: ModelRequest, options?: CallOptions): Promise<AsyncIterable<StreamPart>>;
  /** Present on upstreams that speak the Anthropic Messages API natively: `/v1/messages` passes bodies through. */
  readonly messagesApi?: MessagesApi;
}

/**
 * An Anthropic Messages request body as the client sent it (validated),
 * without `model` and `stream`, which the upstream call sets.
 */
export type MessagesBody = Record<string, unknown>;

/** One Anthropic stream event: `{type: "message_start", message: {...}}`. */
export type MessagesStreamEvent = { type: string } & Record<string, unknown>;

export interface MessagesCallOptions extends CallOptions {
  /** `anthropic-beta` values, already narrowed to what this upstream accepts. */
  betas: readonly string[];
}

/** The Anthropic Messages API of an upstream (Bedrock InvokeModel* for Claude, Anthropic itself). */
export interface MessagesApi {
  /** A whole message, as the upstream answered it. */
  create(body: MessagesBody, options: MessagesCallOptions): Promise<Record<string, unknown>>;
  /** The events of a streamed message; settles once the first event has arrived (see `LanguageModel.stream`). */
  stream(body: MessagesBody, options: MessagesCallOptions): Promise<AsyncIterable<MessagesStreamEvent>>;
  /** The input tokens the upstream counts for the body (`max_tokens` ignored). */
  countTokens(body: MessagesBody, options: MessagesCallOptions): Promise<number>;
}

export const emptyUsage = (): Usage => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });

/** The sum of two usages (tool-loop rounds). */
export const addUsage = (left: Usage, right: Usage): Usage => ({
  inputTokens: left.inputTokens + right.inputTokens,
  outputTokens: left.outputTokens + right.outputTokens,
  cacheReadTokens: left.cacheReadTokens + right.cacheReadTokens,
  cacheWriteTokens: left.cacheWriteTokens + right.cacheWriteTokens,
  ...(left.reasoningTokens !== undefined || right.reasoningTokens !== undefined
    ? { reasoningTokens: (left.reasoningTokens ?? 0) + (right.reasoningTokens ?? 0) }
    : {}),
});

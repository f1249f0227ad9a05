import { randomUUID } from 'node:crypto';
import { UpstreamError } from '../../core/errors.js';
import type { CallOptions, LanguageModel, ModelRequest, ModelResult, StreamPart } from '../../core/language-model.js';
import { buildOpenAIChatRequestBody } from './build-openai-chat-request-body.js';
import { convertOpenAIChatResponse, parseOpenAIChatResponse } from './convert-openai-chat-response.js';
import { postJson } from '../http/post-json.js';
import { mapFetchError } from './map-fetch-error.js';
import { openAIErrorFromResponse } from './map-openai-error.js';
import type { MaxTokensField, OpenAIChatRequestBody } from './openai-chat-api-types.js';
import { readOpenAIChatStream } from './read-openai-chat-stream.js';

export interface OpenAICompatibleModelOptions {
  /** Provider name as in the config (`openai`, `openai-compatible`). */
  provider: string;
  /** The upstream model id. */
  modelId: string;
  /** Base URL up to and including `/v1`. */
  baseUrl: string;
  /** The full chat completions URL, when it is not `{baseUrl}/chat/completions` (Azure's carries a query). */
  chatCompletionsUrl?: string;
  /** The bearer token, looked up on every call (the callback caches). */
  apiKey?: () => Promise<string | undefined>;
  /** Extra headers, looked up on every call; they win over the defaults. */
  headers?: () => Promise<Record<string, string>>;
  fetch?: typeof fetch;
  /** Defaults to `max_tokens`, which compatible servers understand. */
  maxTokensField?: MaxTokensField;
  /** Ids for tool calls the upstream left without one. */
  generateId?: () => string;
}

/** A `LanguageModel` over any OpenAI-style `/chat/completions` endpoint (OpenAI, Ollama, vLLM...). */
export class OpenAICompatibleLanguageModel implements LanguageModel {
  readonly provider: string;
  readonly modelId: string;
  private readonly chatCompletionsUrl: string;
  private readonly fetch: typeof fetch;
  private readonly maxTokensField: MaxTokensField;
  private readonly generateId: () => string;

  constructor(private readonly options: OpenAICompatibleModelOptions) {
    this.provider = options.provider;
    this.modelId = options.modelId;
    this.chatCompletionsUrl = options.chatCompletionsUrl ?? `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.maxTokensField = options.maxTokensField ?? 'max_tokens';
    this.generateId = options.generateId ?? (() => `call_${randomUUID().replaceAll('-', '')}`);
  }

  async generate(request: ModelRequest, { abortSignal }: CallOptions = {}): Promise<ModelResult> {
    const body = buildOpenAIChatRequestBody(request, { modelId: this.modelId, maxTokensField: this.maxTokensField, stream: false });
    const response = await this.post(body, 'application/json', abortSignal);
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw mapFetchError(error, abortSignal, 'request');
    }
    return convertOpenAIChatResponse(parseOpenAIChatResponse(text), this.generateId);
  }

  async stream(request: ModelRequest, { abortSignal }: CallOptions = {}): Promise<AsyncIterable<StreamPart>> {
    const body = buildOpenAIChatRequestBody(request, { modelId: this.modelId, maxTokensField: this.maxTokensField, stream: true });
    const response = await this.post(body, 'text/event-stream', abortSignal);
    const contentType = response.headers.get('content-type') ?? '';
    if (!response.body || !contentType.toLowerCase().includes('text/event-stream')) {
      await response.body?.cancel().catch(() => undefined);
      throw new UpstreamError(502, `upstream answered a stream request with ${contentType || 'no content type'}`, {
        code: 'upstream_invalid_response',
        retryable: true,
      });
    }
    return readOpenAIChatStream(response.body, { abortSignal, generateId: this.generateId });
  }

  /** POSTs the body; resolves with a 2xx response, rejects with the mapped error otherwise. */
  private post(body: OpenAIChatRequestBody, accept: string, abortSignal: AbortSignal | undefined): Promise<Response> {
    return postJson({
      url: this.chatCompletionsUrl,
      body,
      accept,
      abortSignal,
      fetch: this.fetch,
      errorFromResponse: openAIErrorFromResponse,
      describe: `${this.provider} model ${this.modelId}`,
      headers: async () => {
        const [apiKey, extraHeaders] = await Promise.all([this.options.apiKey?.(), this.options.headers?.()]);
        return { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...extraHeaders };
      },
    });
  }
}

import { UpstreamError } from '../../core/errors.js';
import type { CallOptions, LanguageModel, MessagesApi, ModelRequest, ModelResult, StreamPart } from '../../core/language-model.js';
import { postJson } from '../http/post-json.js';
import { mapFetchError } from '../openai-compatible/map-fetch-error.js';
import type { AnthropicMessagesRequestBody } from './anthropic-api-types.js';
import { AnthropicMessagesApi } from './anthropic-messages-api.js';
import { convertAnthropicResponse, parseAnthropicResponse } from './convert-anthropic-response.js';
import { anthropicErrorFromResponse } from './map-anthropic-error.js';
import { prepareAnthropicRequest } from './prepare-anthropic-request.js';
import { firstPartReady, readAnthropicStream } from './read-anthropic-stream.js';

/** Where the Messages API lives when the entry gives no `base_url`. */
export const anthropicDefaultBaseUrl = 'https://api.anthropic.com';

/** The API version Tollway speaks; a configured `anthropic-version` header wins. */
export const anthropicApiVersion = '2023-06-01';

/** The output cap when neither the request nor the entry gives one: Anthropic requires `max_tokens`. */
export const anthropicDefaultMaxTokens = 4096;

export interface AnthropicLanguageModelOptions {
  /** The Anthropic model id (`claude-sonnet-4-5`...). */
  modelId: string;
  /** Base URL, with or without `/v1`; defaults to Anthropic's. */
  baseUrl?: string;
  /** The `x-api-key`, looked up on every call (the callback caches). */
  apiKey?: () => Promise<string | undefined>;
  /** Extra headers (`anthropic-beta`...), looked up on every call; they win over the defaults. */
  headers?: () => Promise<Record<string, string>>;
  fetch?: typeof fetch;
  /** Output cap for requests that give none. */
  defaultMaxTokens?: number;
}

const messagesUrlFor = (baseUrl: string): string => {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return trimmed.endsWith('/v1') ? `${trimmed}/messages` : `${trimmed}/v1/messages`;
};

/** A `LanguageModel` over Anthropic's native Messages API. */
export class AnthropicLanguageModel implements LanguageModel {
  readonly provider = 'anthropic';
  readonly modelId: string;
  private readonly messagesUrl: string;
  private readonly fetch: typeof fetch;
  private readonly defaultMaxTokens: number;
  /** `/v1/messages` passes bodies through to Anthropic's own endpoint. */
  readonly messagesApi: MessagesApi;

  constructor(private readonly options: AnthropicLanguageModelOptions) {
    this.modelId = options.modelId;
    this.messagesUrl = messagesUrlFor(options.baseUrl ?? anthropicDefaultBaseUrl);
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.defaultMaxTokens = options.defaultMaxTokens ?? anthropicDefaultMaxTokens;
    this.messagesApi = new AnthropicMessagesApi({ modelId: this.modelId, messagesUrl: this.messagesUrl, fetch: this.fetch, headers: () => this.headers() });
  }

  async generate(request: ModelRequest, { abortSignal }: CallOptions = {}): Promise<ModelResult> {
    const body = prepareAnthropicRequest(request, { modelId: this.modelId, defaultMaxTokens: this.defaultMaxTokens, stream: false });
    const response = await this.post(body, 'application/json', abortSignal);
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw mapFetchError(error, abortSignal, 'request');
    }
    return convertAnthropicResponse(parseAnthropicResponse(text));
  }

  async stream(request: ModelRequest, { abortSignal }: CallOptions = {}): Promise<AsyncIterable<StreamPart>> {
    const body = prepareAnthropicRequest(request, { modelId: this.modelId, defaultMaxTokens: this.defaultMaxTokens, stream: true });
    const response = await this.post(body, 'text/event-stream', abortSignal);
    const contentType = response.headers.get('content-type') ?? '';
    if (!response.body || !contentType.toLowerCase().includes('text/event-stream')) {
      await response.body?.cancel().catch(() => undefined);
      throw new UpstreamError(502, `Anthropic answered a stream request with ${contentType || 'no content type'}`, {
        code: 'upstream_invalid_response',
        retryable: true,
      });
    }
    return firstPartReady(readAnthropicStream(response.body, abortSignal));
  }

  /** POSTs the body; resolves with a 2xx response, rejects with the mapped error otherwise. */
  private post(body: AnthropicMessagesRequestBody, accept: string, abortSignal: AbortSignal | undefined): Promise<Response> {
    return postJson({
      url: this.messagesUrl,
      body,
      accept,
      abortSignal,
      fetch: this.fetch,
      errorFromResponse: anthropicErrorFromResponse,
      describe: `anthropic model ${this.modelId}`,
      headers: () => this.headers(),
    });
  }

  private async headers(): Promise<Record<string, string>> {
    const [apiKey, extraHeaders] = await Promise.all([this.options.apiKey?.(), this.options.headers?.()]);
    return { 'anthropic-version': anthropicApiVersion, ...(apiKey ? { 'x-api-key': apiKey } : {}), ...extraHeaders };
  }
}

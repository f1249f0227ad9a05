import { UpstreamError } from '../../core/errors.js';
import type { MessagesApi, MessagesBody, MessagesCallOptions, MessagesStreamEvent } from '../../core/language-model.js';
import { postJson } from '../http/post-json.js';
import { sseEvents } from '../http/sse-events.js';
import { mapFetchError } from '../openai-compatible/map-fetch-error.js';
import { anthropicErrorFromResponse, mapAnthropicInBandError, parseAnthropicErrorBody } from './map-anthropic-error.js';

export interface AnthropicMessagesApiOptions {
  modelId: string;
  /** `…/v1/messages`; count_tokens lives beside it. */
  messagesUrl: string;
  fetch: typeof fetch;
  /** `anthropic-version`, `x-api-key` and the entry's own headers, resolved per call. */
  headers: () => Promise<Record<string, string>>;
}

const invalidResponse = (detail: string, cause?: unknown) =>
  new UpstreamError(502, `Anthropic answered with ${detail}.`, { code: 'upstream_invalid_response', retryable: true, cause });

const parseObject = (text: string, what: string): Record<string, unknown> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidResponse(`${what} that is not JSON`, error);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidResponse(`${what} that is not an object`);
  return parsed as Record<string, unknown>;
};

/**
 * Anthropic's own Messages API, as a pass-through: the client's body goes
 * with the entry's model id and the client's (narrowed) betas, and the answer
 * and events come back as Anthropic sent them. An `error` event fails the
 * stream as an `UpstreamError`, so the route ends it the way it ends any other.
 */
export class AnthropicMessagesApi implements MessagesApi {
  constructor(private readonly options: AnthropicMessagesApiOptions) {}

  async create(body: MessagesBody, { betas, abortSignal }: MessagesCallOptions): Promise<Record<string, unknown>> {
    const response = await this.post(this.options.messagesUrl, { ...body, model: this.options.modelId }, 'application/json', betas, abortSignal);
    return parseObject(await this.text(response, abortSignal), 'a message');
  }

  async stream(body: MessagesBody, { betas, abortSignal }: MessagesCallOptions): Promise<AsyncIterable<MessagesStreamEvent>> {
    const response = await this.post(this.options.messagesUrl, { ...body, model: this.options.modelId, stream: true }, 'text/event-stream', betas, abortSignal);
    const contentType = response.headers.get('content-type') ?? '';
    if (!response.body || !contentType.toLowerCase().includes('text/event-stream')) {
      await response.body?.cancel().catch(() => undefined);
      throw invalidResponse(`${contentType || 'no content type'} to a stream request`);
    }
    return streamEvents(response.body, abortSignal);
  }

  async countTokens(body: MessagesBody, { betas, abortSignal }: MessagesCallOptions): Promise<number> {
    const { max_tokens: _max, ...counted } = body;
    const response = await this.post(`${this.options.messagesUrl}/count_tokens`, { ...counted, model: this.options.modelId }, 'application/json', betas, abortSignal);
    const answer = parseObject(await this.text(response, abortSignal), 'a token count');
    if (typeof answer.input_tokens !== 'number') throw invalidResponse('a token count without input_tokens');
    return answer.input_tokens;
  }

  private post(url: string, body: unknown, accept: string, betas: readonly string[], abortSignal: AbortSignal | undefined): Promise<Response> {
    return postJson({
      url,
      body,
      accept,
      abortSignal,
      fetch: this.options.fetch,
      errorFromResponse: anthropicErrorFromResponse,
      describe: `anthropic model ${this.options.modelId}`,
      headers: async () => ({ ...(await this.options.headers()), ...(betas.length > 0 ? { 'anthropic-beta': betas.join(',') } : {}) }),
    });
  }

  private async text(response: Response, abortSignal: AbortSignal | undefined): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      throw mapFetchError(error, abortSignal, 'request');
    }
  }
}

async function* streamEvents(body: ReadableStream<Uint8Array<ArrayBuffer>>, abortSignal: AbortSignal | undefined): AsyncGenerator<MessagesStreamEvent> {
  for await (const message of sseEvents(body, abortSignal)) {
    const event = parseObject(message.data, 'a stream event');
    if (event.type === 'error') {
      const details = parseAnthropicErrorBody(event);
      throw details ? mapAnthropicInBandError(details) : invalidResponse('an error event it did not explain');
    }
    if (typeof event.type !== 'string') throw invalidResponse('a stream event without a type');
    yield event as MessagesStreamEvent;
    if (event.type === 'message_stop') return;
  }
}

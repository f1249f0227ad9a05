import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../functions/core/errors.js';
import { OpenAICompatibleLanguageModel } from '../../../functions/providers/openai-compatible/index.js';
import { collect, readFixtureChunks, rejectionOf, sendEvents, sendJson, startTestUpstream, type TestUpstream } from './test-upstream.js';

const request = { messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'Hi' }] }] };

const openAIEnvelope = (message: string, type: string, code: string | null, param: string | null = null) => ({
  error: { message, type, param, code },
});

/** A port nothing listens on: a server that was opened and closed again. */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

describe('openai-compatible provider errors', () => {
  let upstream: TestUpstream;
  let model: OpenAICompatibleLanguageModel;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    model = new OpenAICompatibleLanguageModel({ provider: 'openai-compatible', modelId: 'llama3.2', baseUrl: upstream.baseUrl });
  });
  afterAll(() => upstream.close());

  describe('HTTP errors', () => {
    it('keeps the message, code and param of a 400 in the OpenAI envelope, streamed or not', async () => {
      // Prepare
      const message = "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.";
      upstream.handle((_request, response) =>
        sendJson(response, 400, openAIEnvelope(message, 'invalid_request_error', 'context_length_exceeded', 'messages')),
      );

      // Act
      const generateError = await rejectionOf(model.generate(request));
      const streamError = await rejectionOf(model.stream(request));

      // Assess
      for (const error of [generateError, streamError]) {
        expect(error).toBeInstanceOf(UpstreamError);
        expect(error).toMatchObject({
          status: 400,
          message,
          type: 'invalid_request_error',
          code: 'context_length_exceeded',
          param: 'messages',
          retryable: false,
        });
      }
    });

    it("reports a 401 as the gateway's credential failing, without echoing the upstream message", async () => {
      upstream.handle((_request, response) =>
        sendJson(response, 401, openAIEnvelope('Incorrect API key provided: sk-abc***wxyz.', 'invalid_request_error', 'invalid_api_key')),
      );

      const error = await rejectionOf(model.generate(request));

      expect(error).toMatchObject({ status: 502, code: 'upstream_auth_failed', retryable: true });
      expect((error as Error).message).not.toContain('sk-abc');
    });

    it('reports an unknown upstream model as a 502 and keeps an Ollama-style message', async () => {
      upstream.handle((_request, response) => sendJson(response, 404, { error: 'model "llama9" not found, try pulling it first' }));

      const error = await rejectionOf(model.generate(request));

      expect(error).toMatchObject({ status: 502, code: 'upstream_model_not_found', message: 'model "llama9" not found, try pulling it first' });
    });

    it.each([
      ['Retry-After in seconds', { 'retry-after': '7' }, 7],
      ['retry-after-ms', { 'retry-after-ms': '1500' }, 2],
      ['Retry-After as an HTTP date', { 'retry-after': new Date(Date.now() + 30_000).toUTCString() }, 30],
    ])('turns a 429 with %s into a retryable rate limit with retryAfterSeconds', async (_name, headers, seconds) => {
      upstream.handle((_request, response) =>
        sendJson(response, 429, openAIEnvelope('Rate limit reached for gpt-4o.', 'requests', 'rate_limit_exceeded'), headers),
      );

      const error = await rejectionOf(model.stream(request));

      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded', retryable: true, message: 'Rate limit reached for gpt-4o.' });
      const { retryAfterSeconds } = error as UpstreamError;
      expect(retryAfterSeconds).toBeGreaterThanOrEqual(seconds - 1);
      expect(retryAfterSeconds).toBeLessThanOrEqual(seconds);
      expect((error as UpstreamError).headers['retry-after']).toBe(String(retryAfterSeconds));
    });

    it('turns a 500 into a retryable 502 keeping the message', async () => {
      upstream.handle((_request, response) =>
        sendJson(response, 500, openAIEnvelope('The server had an error while processing your request.', 'server_error', null)),
      );

      const error = await rejectionOf(model.generate(request));

      expect(error).toMatchObject({ status: 502, retryable: true, message: 'The server had an error while processing your request.' });
    });

    it('turns a 503 HTML page into a retryable 502 naming the status', async () => {
      upstream.handle((_request, response) => {
        response.writeHead(503, { 'content-type': 'text/html' });
        response.end('<html><body>Service Unavailable</body></html>');
      });

      const error = await rejectionOf(model.generate(request));

      expect(error).toMatchObject({ status: 502, retryable: true, message: 'upstream returned HTTP 503' });
    });

    it('turns a 408 into a 504', async () => {
      upstream.handle((_request, response) => sendJson(response, 408, openAIEnvelope('Request timed out.', 'timeout', null)));

      const error = await rejectionOf(model.generate(request));

      expect(error).toMatchObject({ status: 504, code: 'upstream_timeout', retryable: true });
    });
  });

  describe('connection failures', () => {
    it('reports a refused connection as a retryable 502 upstream_unreachable', async () => {
      const unreachable = new OpenAICompatibleLanguageModel({
        provider: 'openai-compatible',
        modelId: 'llama3.2',
        baseUrl: `http://127.0.0.1:${await closedPort()}/v1`,
      });

      const generateError = await rejectionOf(unreachable.generate(request));
      const streamError = await rejectionOf(unreachable.stream(request));

      for (const error of [generateError, streamError]) {
        expect(error).toBeInstanceOf(UpstreamError);
        expect(error).toMatchObject({ status: 502, code: 'upstream_unreachable', retryable: true });
        expect((error as Error).message).toContain('ECONNREFUSED');
      }
    });

    it('throws from the iterator when the upstream dies half-way through a stream', async () => {
      upstream.handle((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const line of readFixtureChunks('text.chunks.txt').slice(0, 5)) response.write(`data: ${line}\n\n`);
        setTimeout(() => response.socket?.destroy(), 20);
      });
      const parts: unknown[] = [];

      const stream = await model.stream(request);
      const error = await rejectionOf(
        (async () => {
          for await (const part of stream) parts.push(part);
        })(),
      );

      expect(parts.length).toBeGreaterThan(0);
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ status: 502, code: 'upstream_connection_lost', retryable: true });
    });

    it('throws "upstream stream ended early" when a stream closes without [DONE] or a finish reason', async () => {
      upstream.handle((_request, response) => sendEvents(response, readFixtureChunks('text.chunks.txt').slice(0, 5), { done: false }));

      const error = await rejectionOf(collect(await model.stream(request)));

      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ status: 502, message: 'upstream stream ended early' });
    });
  });

  describe('invalid responses', () => {
    it('rejects a body that is not JSON with a 502', async () => {
      upstream.handle((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('<html>not json</html>');
      });

      const error = await rejectionOf(model.generate(request));

      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ status: 502, code: 'upstream_invalid_response' });
    });

    it('rejects JSON that is not a chat completion with a 502', async () => {
      upstream.handle((_request, response) => sendJson(response, 200, { choices: [{ message: 'garbage' }] }));

      const error = await rejectionOf(model.generate(request));

      expect(error).toMatchObject({ status: 502, code: 'upstream_invalid_response' });
    });

    it('rejects a stream request answered with JSON instead of an event stream', async () => {
      upstream.handle((_request, response) => sendJson(response, 200, { choices: [{ message: { content: 'not streamed' } }] }));

      const error = await rejectionOf(model.stream(request));

      expect(error).toMatchObject({ status: 502, code: 'upstream_invalid_response' });
      expect((error as Error).message).toContain('application/json');
    });

    it('throws the error object an upstream sends inside the stream', async () => {
      upstream.handle((_request, response) =>
        sendEvents(
          response,
          [
            '{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}',
            JSON.stringify(openAIEnvelope('The model is overloaded.', 'server_error', null)),
          ],
          { done: false },
        ),
      );
      const parts: unknown[] = [];

      const stream = await model.stream(request);
      const error = await rejectionOf(
        (async () => {
          for await (const part of stream) parts.push(part);
        })(),
      );

      expect(parts).toStrictEqual([{ type: 'text-delta', text: 'Hi' }]);
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ status: 502, message: 'The model is overloaded.', retryable: true });
    });

    it('rejects an unreadable stream chunk with a 502', async () => {
      upstream.handle((_request, response) => sendEvents(response, ['{"choices": "nope"}']));

      const error = await rejectionOf(collect(await model.stream(request)));

      expect(error).toMatchObject({ status: 502, code: 'upstream_invalid_response' });
    });
  });

  it('reports credentials that cannot be resolved as a gateway-side 500', async () => {
    const misconfigured = new OpenAICompatibleLanguageModel({
      provider: 'openai',
      modelId: 'gpt-4o',
      baseUrl: upstream.baseUrl,
      apiKey: () => Promise.reject(new Error('models[gpt-4o].api_key: env:OPENAI_API_KEY is not set')),
    });

    const error = await rejectionOf(misconfigured.generate(request));

    expect(error).toMatchObject({ status: 500, type: 'server_error', code: 'upstream_credentials_unavailable' });
    expect((error as Error).message).not.toContain('OPENAI_API_KEY');
  });
});

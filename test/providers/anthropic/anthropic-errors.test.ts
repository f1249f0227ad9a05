import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../functions/core/errors.js';
import { AnthropicLanguageModel } from '../../../functions/providers/anthropic/index.js';
import {
  anthropicError,
  collect,
  readChunksFixture,
  rejectionOf,
  sendAnthropicEvents,
  sendJson,
  simpleRequest,
  startTestUpstream,
  type TestUpstream,
} from './anthropic-test-helpers.js';

/** A port nothing listens on: a server that was opened and closed again. */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

describe('anthropic provider errors', () => {
  let upstream: TestUpstream;
  let model: AnthropicLanguageModel;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    model = new AnthropicLanguageModel({ modelId: 'claude-sonnet-4-5', baseUrl: upstream.baseUrl, apiKey: async () => 'sk-ant-secret' });
  });
  afterAll(() => upstream.close());

  it('reports a prompt that is too long as a 400 context_length_exceeded, streamed or not', async () => {
    // Prepare
    const message = 'prompt is too long: 210443 tokens > 200000 maximum';
    upstream.handle((_request, response) => sendJson(response, 400, anthropicError('invalid_request_error', message)));

    // Act
    const errors = [await rejectionOf(model.generate(simpleRequest)), await rejectionOf(model.stream(simpleRequest))];

    // Assess
    for (const error of errors) {
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ status: 400, message, type: 'invalid_request_error', code: 'context_length_exceeded', retryable: false });
    }
  });

  it('keeps other invalid requests as 400s without a code', async () => {
    upstream.handle((_request, response) =>
      sendJson(response, 400, anthropicError('invalid_request_error', 'messages: roles must alternate')),
    );

    const error = await rejectionOf(model.generate(simpleRequest));

    expect(error).toMatchObject({ status: 400, code: null, message: 'messages: roles must alternate', retryable: false });
  });

  it.each([401, 403])("reports a %i as the gateway's credentials failing, without echoing the upstream message", async (status) => {
    upstream.handle((_request, response) => sendJson(response, status, anthropicError('authentication_error', 'invalid x-api-key sk-ant-sec')));

    const error = await rejectionOf(model.generate(simpleRequest));

    expect(error).toMatchObject({ status: 502, code: 'upstream_auth_failed' });
    expect((error as Error).message).not.toContain('sk-ant');
  });

  it('reports an unknown model as a 502 and a too-large request as a 400', async () => {
    upstream.handle((_request, response) => sendJson(response, 404, anthropicError('not_found_error', 'model: claude-9')));
    const notFound = await rejectionOf(model.generate(simpleRequest));
    upstream.handle((_request, response) => sendJson(response, 413, anthropicError('request_too_large', 'Request exceeds the maximum size')));
    const tooLarge = await rejectionOf(model.generate(simpleRequest));

    expect(notFound).toMatchObject({ status: 502, code: 'upstream_model_not_found', message: 'model: claude-9' });
    expect(tooLarge).toMatchObject({ status: 400, code: 'request_too_large', retryable: false });
  });

  it('reports a 429 as retryable with the Retry-After it was given', async () => {
    upstream.handle((_request, response) =>
      sendJson(response, 429, anthropicError('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'), {
        'retry-after': '13',
      }),
    );

    const error = await rejectionOf(model.generate(simpleRequest));

    expect(error).toMatchObject({
      status: 429,
      code: 'rate_limit_exceeded',
      retryable: true,
      retryAfterSeconds: 13,
      headers: { 'retry-after': '13' },
    });
  });

  it('reports 529 overloaded as a retryable 503 and a 500 as a retryable 502', async () => {
    upstream.handle((_request, response) => sendJson(response, 529, anthropicError('overloaded_error', 'Overloaded')));
    const overloaded = await rejectionOf(model.stream(simpleRequest));
    upstream.handle((_request, response) => sendJson(response, 500, anthropicError('api_error', 'Internal server error')));
    const failed = await rejectionOf(model.generate(simpleRequest));

    expect(overloaded).toMatchObject({ status: 503, code: 'upstream_overloaded', message: 'Overloaded', retryable: true });
    expect(failed).toMatchObject({ status: 502, code: 'upstream_error', retryable: true });
  });

  it('reports a non-JSON error page by its status', async () => {
    upstream.handle((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html>Bad gateway</html>');
    });

    const error = await rejectionOf(model.generate(simpleRequest));

    expect(error).toMatchObject({ status: 502, code: 'upstream_error', message: 'Anthropic returned HTTP 502', retryable: true });
  });

  it.each([
    ['not JSON', 'this is not json'],
    ['JSON that is not a message', '{"id":"msg_1","content":"hello"}'],
    ['a message with a malformed tool_use block', '{"type":"message","content":[{"type":"tool_use","id":"t"}],"stop_reason":"tool_use","usage":{}}'],
  ])('reports a 200 with %s as a retryable 502', async (_case, body) => {
    upstream.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(body);
    });

    const error = await rejectionOf(model.generate(simpleRequest));

    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ status: 502, code: 'upstream_invalid_response', retryable: true });
  });

  it('reports a refused connection as a retryable 502', async () => {
    const unreachable = new AnthropicLanguageModel({ modelId: 'claude-sonnet-4-5', baseUrl: `http://127.0.0.1:${await closedPort()}` });

    const error = await rejectionOf(unreachable.generate(simpleRequest));

    expect(error).toMatchObject({ status: 502, code: 'upstream_unreachable', retryable: true });
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('reports a secret that cannot be resolved as a retryable 500 naming no secret', async () => {
    const misconfigured = new AnthropicLanguageModel({
      modelId: 'claude-sonnet-4-5',
      baseUrl: upstream.baseUrl,
      apiKey: async () => {
        throw new Error('environment variable ANTHROPIC_API_KEY is not set');
      },
    });

    const error = await rejectionOf(misconfigured.generate(simpleRequest));

    expect(error).toMatchObject({ status: 500, code: 'upstream_credentials_unavailable', retryable: true });
  });

  describe('inside a stream', () => {
    it('throws an error event from the iterator as the error its type stands for', async () => {
      upstream.handle((_request, response) =>
        sendAnthropicEvents(response, [...readChunksFixture('text').slice(0, 4), JSON.stringify(anthropicError('overloaded_error', 'Overloaded'))]),
      );
      const parts: unknown[] = [];

      const error = await rejectionOf(
        (async () => {
          for await (const part of await model.stream(simpleRequest)) parts.push(part);
        })(),
      );

      expect(parts).toStrictEqual([{ type: 'text-delta', text: 'Hello' }]);
      expect(error).toMatchObject({ status: 503, code: 'upstream_overloaded', retryable: true });
    });

    it('rejects stream() itself when the error event comes before any output, so the router can still retry', async () => {
      upstream.handle((_request, response) =>
        sendAnthropicEvents(response, [...readChunksFixture('text').slice(0, 3), JSON.stringify(anthropicError('overloaded_error', 'Overloaded'))]),
      );

      const error = await rejectionOf(model.stream(simpleRequest));

      expect(error).toMatchObject({ status: 503, code: 'upstream_overloaded', retryable: true });
    });

    it('reports a stream that ends before the model finished as a retryable 502', async () => {
      upstream.handle((_request, response) => sendAnthropicEvents(response, readChunksFixture('text').slice(0, 6)));

      const error = await rejectionOf(collect(await model.stream(simpleRequest)));

      expect(error).toMatchObject({ status: 502, code: 'upstream_stream_incomplete', retryable: true });
    });

    it('reports a connection lost mid-stream as a retryable 502', async () => {
      upstream.handle((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n');
        setTimeout(() => response.socket?.destroy(), 20);
      });

      const error = await rejectionOf(collect(await model.stream(simpleRequest)));

      expect(error).toMatchObject({ status: 502, code: 'upstream_connection_lost', retryable: true });
    });

    it('reports an unreadable event as a retryable 502', async () => {
      upstream.handle((_request, response) =>
        sendAnthropicEvents(response, [
          '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}',
          '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta"}}',
        ]),
      );

      const error = await rejectionOf(collect(await model.stream(simpleRequest)));

      expect(error).toMatchObject({ status: 502, code: 'upstream_invalid_response' });
    });

    it('refuses a stream answered with JSON instead of events', async () => {
      upstream.handle((_request, response) => sendJson(response, 200, { type: 'message', content: [] }));

      const error = await rejectionOf(model.stream(simpleRequest));

      expect(error).toMatchObject({ status: 502, code: 'upstream_invalid_response' });
    });
  });
});

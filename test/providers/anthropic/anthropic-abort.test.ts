import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../functions/core/errors.js';
import { AnthropicLanguageModel } from '../../../functions/providers/anthropic/index.js';
import { rejectionOf, simpleRequest, startTestUpstream, type TestUpstream } from './anthropic-test-helpers.js';

describe('aborting an anthropic call', () => {
  let upstream: TestUpstream;
  let model: AnthropicLanguageModel;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    model = new AnthropicLanguageModel({ modelId: 'claude-sonnet-4-5', baseUrl: upstream.baseUrl });
  });
  afterAll(() => upstream.close());

  it('cancels a pending request when the signal aborts, with the caller’s reason', async () => {
    // Prepare
    const controller = new AbortController();
    upstream.handle(() => {
      // Never answers; the caller gives up once the request has arrived.
      controller.abort();
    });

    // Act
    const error = await rejectionOf(model.generate(simpleRequest, { abortSignal: controller.signal }));

    // Assess
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(error).not.toBeInstanceOf(UpstreamError);
    await expect(upstream.requests.at(-1)?.clientGone).resolves.toBeUndefined();
  });

  it('turns an abort by timeout into a 504', async () => {
    upstream.handle(() => {
      // Never answers.
    });

    const error = await rejectionOf(model.generate(simpleRequest, { abortSignal: AbortSignal.timeout(50) }));

    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ status: 504, code: 'upstream_timeout' });
  });

  it('stops reading a stream and closes the connection when the signal aborts mid-stream', async () => {
    upstream.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"first"}}\n\n');
      // Never ends.
    });
    const controller = new AbortController();
    const parts: unknown[] = [];

    const stream = await model.stream(simpleRequest, { abortSignal: controller.signal });
    const error = await rejectionOf(
      (async () => {
        for await (const part of stream) {
          parts.push(part);
          controller.abort();
        }
      })(),
    );

    expect(parts).toStrictEqual([{ type: 'text-delta', text: 'first' }]);
    expect(error).toMatchObject({ name: 'AbortError' });
    await expect(upstream.requests.at(-1)?.clientGone).resolves.toBeUndefined();
  });
});

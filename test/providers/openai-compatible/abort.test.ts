import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../functions/core/errors.js';
import { OpenAICompatibleLanguageModel } from '../../../functions/providers/openai-compatible/index.js';
import { rejectionOf, startTestUpstream, type TestUpstream } from './test-upstream.js';

const request = { messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'Hi' }] }] };

describe('aborting an openai-compatible call', () => {
  let upstream: TestUpstream;
  let model: OpenAICompatibleLanguageModel;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    model = new OpenAICompatibleLanguageModel({ provider: 'openai-compatible', modelId: 'llama3.2', baseUrl: upstream.baseUrl });
  });
  afterAll(() => upstream.close());

  it('cancels a pending request when the signal aborts, with the caller’s reason', async () => {
    const controller = new AbortController();
    // Abort once the request has reached the upstream, which never answers.
    upstream.handle(() => controller.abort());

    const pending = model.generate(request, { abortSignal: controller.signal });
    const error = await rejectionOf(pending);

    expect(error).toMatchObject({ name: 'AbortError' });
    expect(error).not.toBeInstanceOf(UpstreamError);
    await expect(upstream.requests.at(-1)?.clientGone).resolves.toBeUndefined();
  });

  it('turns an abort by timeout into a 504', async () => {
    upstream.handle(() => {
      // Never answers.
    });

    const error = await rejectionOf(model.generate(request, { abortSignal: AbortSignal.timeout(50) }));

    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ status: 504, code: 'upstream_timeout' });
  });

  it('stops reading a stream and closes the connection when the signal aborts mid-stream', async () => {
    upstream.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {"choices":[{"index":0,"delta":{"content":"first"},"finish_reason":null}]}\n\n');
    });
    const controller = new AbortController();
    const parts: unknown[] = [];

    const stream = await model.stream(request, { abortSignal: controller.signal });
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

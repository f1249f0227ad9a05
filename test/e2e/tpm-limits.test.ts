import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { completionBody, sendJson, startFakeUpstream, type FakeUpstream } from '../support/fake-openai-upstream.js';
import { generateKey, relayConfig, startTestGateway } from '../support/gateway.js';

describe('tpm_limit', () => {
  let upstream: FakeUpstream;
  let gateway: LocalGateway;

  beforeAll(async () => {
    // Slow enough that concurrent requests are all in flight before any settles.
    upstream = await startFakeUpstream(async (_request, response) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      sendJson(response, 200, completionBody({ role: 'assistant', content: 'a long answer' }, 'stop', { prompt_tokens: 10, completion_tokens: 400 }));
    });
    gateway = await startTestGateway(relayConfig(upstream.baseUrl));
  });

  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  it('counts the output a request may produce, so concurrent requests cannot pass the window together', async () => {
    // Prepare
    const key = await generateKey(gateway, { tpm_limit: 1_000 });

    // Act: ten at once, each allowed 400 output tokens.
    const statuses = await Promise.all(
      Array.from({ length: 10 }, async (_, index) => {
        const response = await fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'relay', max_tokens: 400, messages: [{ role: 'user', content: `question ${index}` }] }),
        });
        await response.text();
        return response.status;
      }),
    );

    // Assess: the window admits while it is below 1,000 tokens: 0, ~420, ~840, then it is full.
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(7);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionBody, sendJson, startFakeUpstream, type FakeUpstream } from '../support/fake-openai-upstream.js';
import { generateKey, masterKey, openaiClient, recordingLogger, startTestGateway } from '../support/gateway.js';

const upstreamSecret = 'sk-upstream-secret-value-42';
const prompt = 'my private question about the merger';

const startWith = async (upstream: FakeUpstream, logPrompts: boolean) => {
  const recorded = recordingLogger();
  const gateway = await startTestGateway(
    `
models:
  - name: upstream
    provider: openai-compatible
    base_url: ${upstream.baseUrl}
    model: m
    api_key: env:UPSTREAM_KEY
  - name: echo
    provider: echo
settings:
  log_prompts: ${logPrompts}
`,
    { UPSTREAM_KEY: upstreamSecret },
    { logger: recorded.logger },
  );
  return { gateway, lines: recorded.lines };
};

describe('logs', () => {
  let upstream: FakeUpstream;
  let calls = 0;
  beforeAll(async () => {
    upstream = await startFakeUpstream((_, response) => {
      calls += 1;
      if (calls % 2 === 0) sendJson(response, 401, { error: { message: `Incorrect API key provided: ${upstreamSecret}` } });
      else sendJson(response, 200, completionBody({ content: 'the merger answer' }, 'stop'));
    });
  });
  afterAll(() => upstream?.close());

  it('hold no prompt, completion, key or secret by default, but one line per completion', async () => {
    const { gateway, lines } = await startWith(upstream, false);
    try {
      const key = await generateKey(gateway, { key_alias: 'privacy' });
      const client = openaiClient(gateway, key);
      await client.chat.completions.create({ model: 'upstream', messages: [{ role: 'user', content: prompt }] });
      await client.chat.completions.create({ model: 'upstream', messages: [{ role: 'user', content: prompt }] }).catch(() => undefined);
      const stream = await client.chat.completions.create({ model: 'echo', stream: true, messages: [{ role: 'user', content: prompt }] });
      for await (const chunk of stream) void chunk;
      await openaiClient(gateway, `${key}x`).models.list().catch(() => undefined);
      await gateway.settled();

      const completions = lines.filter((line) => line.includes('"message":"completion"'));
      expect(completions).toHaveLength(3);
      expect(JSON.parse(completions[0])).toMatchObject({ keyAlias: 'privacy', model: 'upstream', status: 200, outcome: 'success' });
      const all = lines.join('\n');
      for (const secret of [prompt, 'the merger answer', key, key.slice(3), masterKey, upstreamSecret]) expect(all).not.toContain(secret);
    } finally {
      await gateway.close();
    }
  });

  it('include the prompt only when settings.log_prompts is on', async () => {
    const { gateway, lines } = await startWith(upstream, true);
    try {
      const client = openaiClient(gateway, await generateKey(gateway));
      await client.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: prompt }] });
      await gateway.settled();
      expect(lines.find((line) => line.includes('"message":"completion"'))).toContain(prompt);
    } finally {
      await gateway.close();
    }
  });
});

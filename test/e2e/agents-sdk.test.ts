import { Agent, run, setDefaultOpenAIClient, setTracingDisabled, tool } from '@openai/agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { hashKey } from '../../functions/core/auth/key-hash.js';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { admin, generateKey, openaiClient, startTestGateway } from '../support/gateway.js';

/** The OpenAI Agents SDK for JS, in its default (Responses API) mode, against the local gateway. */
describe('the OpenAI Agents SDK through /v1/responses', () => {
  let gateway: LocalGateway;

  beforeAll(async () => {
    gateway = await startTestGateway(`
models:
  - name: echo
    provider: echo
    price: { input_per_mtok: 1, output_per_mtok: 2 }
`);
    setTracingDisabled(true);
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('runs an agent with one function tool to completion', async () => {
    const key = await generateKey(gateway, { max_budget: 1 });
    setDefaultOpenAIClient(openaiClient(gateway, key));
    const calls: string[] = [];
    const weather = tool({
      name: 'get_weather',
      description: 'The weather in a city.',
      parameters: z.object({ city: z.string() }),
      execute: async ({ city }) => {
        calls.push(city);
        return `Sunny in ${city}`;
      },
    });
    // The echo model calls a tool when one is required; the SDK resets tool_choice after the call, so the next turn answers.
    const agent = new Agent({ name: 'Forecaster', instructions: 'Answer with the weather.', model: 'echo', tools: [weather], modelSettings: { toolChoice: 'required' } });

    const result = await run(agent, '{"city":"Lisbon"}');

    expect(calls).toEqual(['Lisbon']);
    expect(result.finalOutput).toBe('Sunny in Lisbon');
    await gateway.settled();
    const logs = (await admin(gateway, 'GET', `/spend/logs?key=${hashKey(key)}`)).body as { data: Array<Record<string, unknown>> };
    expect(logs.data).toHaveLength(2);
    expect(logs.data.map((record) => [record.route, record.model, record.status])).toEqual([
      ['responses.create', 'echo', 200],
      ['responses.create', 'echo', 200],
    ]);
  });
});

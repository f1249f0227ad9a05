/**
 * The local gateway in front of Bedrock through the official AWS SDK client,
 * which finds the local Bedrock (recorded bodies and event-stream frames)
 * through `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, as it would find any endpoint.
 */
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { inspector } from '../support/dynamo-fault-proxy.js';
import { generateKey, openaiClient, recordingMetrics, startTestGateway } from '../support/gateway.js';
import { modelIdOf, startLocalBedrock, stopLocalBedrocks, type LocalBedrock, type ReceivedRequest } from '../support/local-bedrock.js';
import { loadResponseFixture, loadStreamFixture } from '../providers/bedrock/bedrock-test-helpers.js';

const claude = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const cachedUsage = { inputTokens: 12, outputTokens: 57, cacheReadInputTokens: 2048, cacheWriteInputTokens: 512, totalTokens: 2629 };
/** USD per million tokens: input 3, output 15, cache read 0.3, cache write 3.75. */
const cachedCost = (12 * 3 + 57 * 15 + 2048 * 0.3 + 512 * 3.75) / 1e6;
const cachePoint = { cachePoint: { type: 'default' } };
const pdf = Buffer.from('%PDF-1.7 the quarterly report');

/** The recorded text answer, with the usage of a request that read and wrote the prompt cache. */
const answerFor = (request: ReceivedRequest) => {
  const blocked = JSON.stringify(request.body).includes('stocks');
  if (request.path.endsWith('/converse-stream')) {
    if (blocked) return { events: loadStreamFixture('guardrail-intervened') };
    return { events: loadStreamFixture('text').map((event) => ('metadata' in event ? { metadata: { ...(event.metadata as object), usage: cachedUsage } } : event)) };
  }
  if (blocked) return { json: loadResponseFixture('guardrail-intervened') };
  return { json: { ...(loadResponseFixture('text') as object), usage: cachedUsage } };
};

describe('chat completions on Bedrock through the AWS SDK', () => {
  let bedrock: LocalBedrock;
  let gateway: LocalGateway;
  let client: OpenAI;
  let tables: ReturnType<typeof inspector>;
  const metrics = recordingMetrics();

  beforeAll(async () => {
    bedrock = await startLocalBedrock(answerFor);
    vi.stubEnv('AWS_ENDPOINT_URL_BEDROCK_RUNTIME', bedrock.endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDLOCALBEDROCK');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local-bedrock-secret');
    gateway = await startTestGateway(
      `
models:
  - name: claude
    provider: bedrock
    model: ${claude}
    region: us-east-1
    prompt_caching: auto
    guardrail: { id: wkx4h2uq6z8p, version: "3" }
    price: { input_per_mtok: 3, output_per_mtok: 15, cache_read_per_mtok: 0.3, cache_write_per_mtok: 3.75 }
`,
      {},
      { metrics: metrics.metrics },
    );
    client = openaiClient(gateway, await generateKey(gateway, { max_budget: 10 }));
    tables = inspector(gateway);
  });

  afterAll(async () => {
    tables?.close();
    await gateway?.close();
    await stopLocalBedrocks();
    vi.unstubAllEnvs();
  });

  const messages = [
    { role: 'system', content: [{ type: 'text', text: 'You answer from the attached report.', cache_control: { type: 'ephemeral' } }] },
    {
      role: 'user',
      content: [
        { type: 'file', file: { file_data: `data:application/pdf;base64,${pdf.toString('base64')}`, filename: 'report.pdf' }, cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'What does it say?' },
      ],
    },
  ] as unknown as OpenAI.ChatCompletionMessageParam[];

  it('sends cache points, the document and the guardrail to Bedrock, signed for the model region', async () => {
    // Act
    const completion = await client.chat.completions.create({ model: 'claude', messages, max_tokens: 100 });

    // Assess: what the local Bedrock received
    const sent = bedrock.received.at(-1)!;
    expect(modelIdOf(sent)).toBe(claude);
    expect(String(sent.headers.authorization)).toContain('Credential=AKIDLOCALBEDROCK/');
    expect(String(sent.headers.authorization)).toContain('/us-east-1/bedrock/aws4_request');
    expect(sent.body.system).toEqual([{ text: 'You answer from the attached report.' }, cachePoint]);
    expect(sent.body.messages).toEqual([
      { role: 'user', content: [{ document: { format: 'pdf', name: 'report 1', source: { bytes: pdf.toString('base64') } } }, cachePoint, { text: 'What does it say?' }] },
    ]);
    expect(sent.body.guardrailConfig).toEqual({ guardrailIdentifier: 'wkx4h2uq6z8p', guardrailVersion: '3' });
    expect(completion.choices[0].finish_reason).toBe('stop');
  });

  it('reports cache tokens in usage and prices them in the usage record', async () => {
    // Act
    const { data: completion, response } = await client.chat.completions.create({ model: 'claude', messages, max_tokens: 100 }).withResponse();
    await gateway.settled();

    // Assess
    expect(completion.usage).toMatchObject({ prompt_tokens: 12 + 2048 + 512, completion_tokens: 57, prompt_tokens_details: { cached_tokens: 2048 } });
    expect(Number(response.headers.get('x-tollway-cost-usd'))).toBeCloseTo(cachedCost, 9);
    const [record] = (await tables.usageRecords()).filter((item) => item.request_id === response.headers.get('x-request-id'));
    expect(record).toMatchObject({ input_tokens: 12, output_tokens: 57, cache_read_tokens: 2048, cache_write_tokens: 512, provider: 'bedrock' });
    expect(record.cost_usd).toBeCloseTo(cachedCost, 9);
  });

  it('streams the cached usage in the final chunk', async () => {
    const stream = await client.chat.completions.create({ model: 'claude', messages, max_tokens: 100, stream: true, stream_options: { include_usage: true } });

    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) usage = chunk.usage ?? usage;

    expect(usage).toMatchObject({ prompt_tokens: 2572, prompt_tokens_details: { cached_tokens: 2048 } });
    expect(bedrock.received.at(-1)!.path).toMatch(/converse-stream$/);
  });

  it('answers a guardrail intervention with content_filter, streamed or not, and counts it by model', async () => {
    const blocked = [{ role: 'user' as const, content: 'Which stocks should I buy?' }];
    const before = metrics.total('GuardrailInterventions', { model: 'claude' });

    const completion = await client.chat.completions.create({ model: 'claude', messages: blocked, max_tokens: 100 });
    const stream = await client.chat.completions.create({ model: 'claude', messages: blocked, max_tokens: 100, stream: true });
    const reasons: Array<string | null> = [];
    for await (const chunk of stream) if (chunk.choices[0]?.finish_reason) reasons.push(chunk.choices[0].finish_reason);
    await gateway.settled();

    expect(completion.choices[0]).toMatchObject({ finish_reason: 'content_filter', message: { content: 'Sorry, the model cannot answer this question.' } });
    expect(reasons).toEqual(['content_filter']);
    expect(metrics.total('GuardrailInterventions', { model: 'claude' }) - before).toBe(2);
  });

  it('refuses a file given by id with a 400 naming the part, before Bedrock', async () => {
    const calls = bedrock.received.length;
    const byId = [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] }] as unknown as OpenAI.ChatCompletionMessageParam[];

    const rejection = client.chat.completions.create({ model: 'claude', messages: byId });

    await expect(rejection).rejects.toMatchObject({ status: 400, param: 'messages[0].content[0].file.file_data', code: 'unsupported_file' });
    expect(bedrock.received.length).toBe(calls);
  });
});

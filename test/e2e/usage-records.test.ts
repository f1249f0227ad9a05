import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { sendChunk, startFakeUpstream, startSse, type FakeUpstream } from '../support/fake-openai-upstream.js';
import { admin, generateKey, openaiClient, startTestGateway } from '../support/gateway.js';

describe('usage records', () => {
  let upstream: FakeUpstream;
  let gateway: LocalGateway;
  let documents: DynamoDBDocumentClient;
  let upstreamClosed: Promise<void>;

  beforeAll(async () => {
    let markClosed!: () => void;
    upstreamClosed = new Promise((resolve) => {
      markClosed = resolve;
    });
    // An upstream that streams forever until the gateway hangs up.
    upstream = await startFakeUpstream(async (_, response) => {
      startSse(response);
      response.once('close', markClosed);
      for (let index = 0; !response.destroyed && index < 1000; index += 1) {
        sendChunk(response, { content: `word${index} ` });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    });
    gateway = await startTestGateway(`
models:
  - name: echo
    provider: echo
    price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }
  - name: endless
    provider: openai-compatible
    base_url: ${upstream.baseUrl}
    model: endless-model
    price: { input_per_mtok: 1.0, output_per_mtok: 1.0 }
`);
    documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: gateway.dynamoEndpoint, region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
    );
  });

  afterAll(async () => {
    documents?.destroy();
    await gateway?.close();
    await upstream?.close();
  });

  const usageItems = async () => (await documents.send(new ScanCommand({ TableName: gateway.tableNames.usage }))).Items ?? [];

  it('writes one record per request with tokens, cost and timing', async () => {
    await admin(gateway, 'POST', '/team/new', { team_id: 'team-u' });
    const { data: completion, response } = await openaiClient(gateway, await generateKey(gateway, { key_alias: 'usage', team_id: 'team-u' }))
      .chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'count these words' }] })
      .withResponse();
    await gateway.settled();

    const item = (await usageItems()).find((candidate) => candidate.request_id === response.headers.get('x-request-id'));
    expect(item).toMatchObject({
      key_alias: 'usage',
      team_id: 'team-u',
      model: 'echo',
      provider: 'echo',
      deployment: 'echo',
      input_tokens: completion.usage!.prompt_tokens,
      output_tokens: completion.usage!.completion_tokens,
      status: 200,
      outcome: 'success',
      stream: false,
      finish_reason: 'stop',
    });
    expect(item!.cost_usd).toBeCloseTo(Number(response.headers.get('x-tollway-cost-usd')), 12);
    expect(item!.key_id).toMatch(/^[0-9a-f]{64}$/);
    expect(item!.day).toBe(item!.created_at.slice(0, 10));
    expect(item!.expires_at).toBeGreaterThan(Date.now() / 1000 + 89 * 86_400);
  });

  it('still records a stream the client drops half-way, and stops the upstream', async () => {
    const key = await generateKey(gateway, { key_alias: 'dropper', max_budget: 1 });
    const client = openaiClient(gateway, key);
    const stream = await client.chat.completions.create({ model: 'endless', messages: [{ role: 'user', content: 'go on forever' }], stream: true });
    let received = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) received += 1;
      if (received === 5) break; // leaving the loop aborts the HTTP request
    }

    await upstreamClosed;
    await gateway.settled();
    const item = (await usageItems()).find((candidate) => candidate.key_alias === 'dropper');
    expect(item).toMatchObject({ model: 'endless', outcome: 'client_disconnected', stream: true, status: 200 });
    expect(item!.output_tokens).toBeGreaterThan(0);
    expect(item!.cost_usd).toBeGreaterThan(0);
    const info = (await admin(gateway, 'GET', `/key/info?key=${key}`)).body.info;
    expect(info.spend).toBeCloseTo(item!.cost_usd, 12); // settled with the cost of what was generated
    expect(info.reserved_spend).toBe(0); // and the rest of the reservation released
  });

  it('serves /spend/logs filtered by key, team and model, with costs from the price table, paginated', async () => {
    await admin(gateway, 'POST', '/team/new', { team_id: 'team-logs' });
    const key = await generateKey(gateway, { key_alias: 'logs', team_id: 'team-logs' });
    const client = openaiClient(gateway, key);
    const completions = [];
    for (const content of ['one', 'two words', 'three more words']) {
      completions.push(await client.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content }] }));
    }
    await gateway.settled();

    const byKey = (await admin(gateway, 'GET', `/spend/logs?key=${key}`)).body;
    expect(byKey.data).toHaveLength(3);
    for (const record of byKey.data) {
      const expected = (record.input_tokens * 1.0 + record.completion_tokens * 2.0) / 1e6; // echo: $1 in, $2 out per Mtok
      expect(record.spend).toBeCloseTo(expected, 12);
      expect(record).toMatchObject({ key_alias: 'logs', team_id: 'team-logs', model: 'echo', status: 200 });
    }
    expect(byKey.data.map((record: { completion_tokens: number }) => record.completion_tokens)).toEqual(
      completions.map((completion) => completion.usage!.completion_tokens).reverse(),
    ); // newest first

    const byTeam = (await admin(gateway, 'GET', '/spend/logs?team_id=team-logs&model=echo')).body;
    expect(byTeam.data).toHaveLength(3);
    expect((await admin(gateway, 'GET', '/spend/logs?team_id=team-logs&model=endless')).body.data).toHaveLength(0);

    const firstPage = (await admin(gateway, 'GET', '/spend/logs?limit=2')).body;
    expect(firstPage.data).toHaveLength(2);
    expect(firstPage.has_more).toBe(true);
    const seen = new Set(firstPage.data.map((record: { request_id: string }) => record.request_id));
    let cursor = firstPage.next_cursor;
    while (cursor) {
      const page = (await admin(gateway, 'GET', `/spend/logs?limit=2&cursor=${cursor}`)).body;
      for (const record of page.data) seen.add(record.request_id);
      cursor = page.next_cursor;
    }
    expect(seen.size).toBe((await usageItems()).length);

    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect((await admin(gateway, 'GET', `/spend/logs?key=${key}&end_date=${yesterday}`)).body.data).toHaveLength(0);
    expect((await admin(gateway, 'GET', '/spend/logs?start_date=nonsense')).status).toBe(400);
  });
});

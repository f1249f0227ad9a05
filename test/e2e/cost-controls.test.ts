import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { admin, generateKey, openaiClient, startTestGateway } from '../support/gateway.js';

// `priced-echo`: output at $0.002 a token, input free, so a request's reservation
// (max_tokens x output price) equals its real cost when echo fills max_tokens.
// `dear-echo`: input and output priced, so reservations exceed real costs.
const config = `
models:
  - name: priced-echo
    provider: echo
    price: { input_per_mtok: 0, output_per_mtok: 2000 }
  - name: dear-echo
    provider: echo
    price: { input_per_mtok: 1000, output_per_mtok: 2000 }
`;

const longMessage = 'alpha beta gamma delta epsilon zeta eta theta iota kappa';
/** Five output tokens at $0.002: $0.01 reserved and $0.01 spent. */
const fixedCostRequest = { model: 'priced-echo', max_tokens: 5, messages: [{ role: 'user' as const, content: longMessage }] };
const fixedCost = 0.01;

const infoOf = async (gateway: LocalGateway, key: string) => (await admin(gateway, 'GET', `/key/info?key=${key}`)).body.info;

describe('cost controls through the local server', () => {
  let gateway: LocalGateway;

  beforeAll(async () => {
    gateway = await startTestGateway(config);
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('cuts a key off with 429 budget_exceeded once its budget is spent, never overspending', async () => {
    const key = await generateKey(gateway, { max_budget: 0.05 });
    const client = openaiClient(gateway, key);

    let accepted = 0;
    let refusal: InstanceType<typeof OpenAI.APIError> | undefined;
    for (let attempt = 0; attempt < 20 && !refusal; attempt += 1) {
      try {
        await client.chat.completions.create({ model: 'dear-echo', max_tokens: 4, messages: [{ role: 'user', content: 'a b c d e f' }] });
        accepted += 1;
        await gateway.settled();
      } catch (error) {
        refusal = error as InstanceType<typeof OpenAI.APIError>;
      }
    }

    expect(accepted).toBeGreaterThanOrEqual(2);
    expect(refusal).toBeInstanceOf(OpenAI.RateLimitError);
    expect(refusal!.code).toBe('budget_exceeded');
    expect(refusal!.headers?.get('x-should-retry')).toBe('false');
    const info = await infoOf(gateway, key);
    expect(info.spend).toBeLessThanOrEqual(0.05);
    expect(info.spend).toBeGreaterThan(0);
    expect(info.period_requests).toBe(accepted);
    expect(info.reserved_spend).toBe(0);
    expect(info.remaining_budget).toBeCloseTo(0.05 - info.spend, 10);
  });

  it('refuses at once a request whose worst case exceeds the whole budget, naming max_tokens', async () => {
    const client = openaiClient(gateway, await generateKey(gateway, { max_budget: 0.001 }));
    const error = await client.chat.completions.create({ ...fixedCostRequest, max_tokens: 1000 }).catch((caught) => caught);
    expect(error.status).toBe(429);
    expect(error.code).toBe('budget_exceeded');
    expect(error.message).toContain('max_tokens');
  });

  it('lets a team budget cut off every key of the team', async () => {
    await admin(gateway, 'POST', '/team/new', { team_id: 'team-budget', max_budget: 3 * fixedCost + 1e-9 });
    const first = openaiClient(gateway, await generateKey(gateway, { team_id: 'team-budget' }));
    const second = openaiClient(gateway, await generateKey(gateway, { team_id: 'team-budget', max_budget: 100 }));

    for (let index = 0; index < 3; index += 1) await first.chat.completions.create(fixedCostRequest);
    await gateway.settled();

    for (const client of [first, second]) {
      const error = await client.chat.completions.create(fixedCostRequest).catch((caught) => caught);
      expect(error.status).toBe(429);
      expect(error.code).toBe('budget_exceeded');
      expect(error.message).toContain('team');
    }
    const team = (await admin(gateway, 'GET', '/team/info?team_id=team-budget')).body;
    expect(team.team_info.spend).toBeCloseTo(3 * fixedCost, 10);
    expect(team.keys).toHaveLength(2);
  });

  it('applies the stricter of the key and team allowlists', async () => {
    await admin(gateway, 'POST', '/team/new', { team_id: 'team-models', models: ['dear-echo'] });
    const client = openaiClient(gateway, await generateKey(gateway, { team_id: 'team-models', models: ['priced-echo', 'dear-echo'] }));
    expect((await client.models.list()).data.map((model) => model.id)).toEqual(['dear-echo']);
    const error = await client.chat.completions.create(fixedCostRequest).catch((caught) => caught);
    expect(error.status).toBe(403);
  });

  it('resets spend when the budget period ends', async () => {
    const key = await generateKey(gateway, { max_budget: fixedCost + 1e-9, budget_duration: '2s' });
    const client = openaiClient(gateway, key);
    await client.chat.completions.create(fixedCostRequest);
    await gateway.settled();
    const refused = await client.chat.completions.create(fixedCostRequest).catch((caught) => caught);
    expect(refused.code).toBe('budget_exceeded');
    const resetAt = Date.parse((await infoOf(gateway, key)).budget_reset_at);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(2);

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, resetAt - Date.now()) + 50));

    await expect(client.chat.completions.create(fixedCostRequest)).resolves.toBeDefined();
    await gateway.settled();
    expect((await infoOf(gateway, key)).spend).toBeCloseTo(fixedCost, 10);
  });

  it('gives 429 rate_limit_exceeded with Retry-After past rpm_limit', async () => {
    const secondsIntoMinute = (Date.now() % 60_000) / 1000;
    if (secondsIntoMinute > 55) await new Promise((resolve) => setTimeout(resolve, (61 - secondsIntoMinute) * 1000));
    const client = openaiClient(gateway, await generateKey(gateway, { rpm_limit: 2 }));

    await client.chat.completions.create(fixedCostRequest);
    await client.chat.completions.create(fixedCostRequest);
    const error = await client.chat.completions.create(fixedCostRequest).catch((caught) => caught);

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.code).toBe('rate_limit_exceeded');
    const retryAfter = Number(error.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('holds a budget under 50 concurrent requests: exactly what fits is accepted, spend never exceeds it', async () => {
    const maxBudget = 10 * fixedCost + 1e-9;
    const key = await generateKey(gateway, { key_alias: 'concurrent', max_budget: maxBudget });
    const client = openaiClient(gateway, key);

    const results = await Promise.allSettled(Array.from({ length: 50 }, () => client.chat.completions.create(fixedCostRequest)));
    await gateway.settled();

    const accepted = results.filter((result) => result.status === 'fulfilled');
    const refused = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(accepted).toHaveLength(10);
    expect(refused).toHaveLength(40);
    expect(refused.every((error) => error.code === 'budget_exceeded')).toBe(true);
    const info = await infoOf(gateway, key);
    expect(info.spend).toBeLessThanOrEqual(maxBudget);
    expect(info.spend).toBeCloseTo(10 * fixedCost, 10);
    expect(info.reserved_spend).toBe(0);
    const logs = (await admin(gateway, 'GET', `/spend/logs?key=${key}&limit=100`)).body;
    expect(logs.data).toHaveLength(10);
    expect(logs.data.reduce((sum: number, record: { spend: number }) => sum + record.spend, 0)).toBeCloseTo(10 * fixedCost, 10);
  });
});

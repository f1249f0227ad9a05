import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { metricDefinitions, metricNamespace } from '../../functions/core/metrics.js';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { createEmfMetrics } from '../../functions/observability/emf-metrics.js';
import { admin, generateKey, openaiClient, startTestGateway } from '../support/gateway.js';

interface EmfLine {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [field: string]: unknown;
}

describe('EMF metrics through the local server', () => {
  let gateway: LocalGateway;
  const lines: EmfLine[] = [];

  beforeAll(async () => {
    const powertools = new Metrics({ namespace: metricNamespace, serviceName: 'tollway-test' });
    const write = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = String(chunk);
      if (text.includes('"_aws"')) {
        lines.push(JSON.parse(text) as EmfLine);
        return true;
      }
      return write(chunk, ...(rest as []));
    });
    gateway = await startTestGateway(
      'models:\n  - name: echo\n    provider: echo\n    price: { input_per_mtok: 1000, output_per_mtok: 2000 }\n',
      {},
      { metrics: createEmfMetrics(powertools) },
    );
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await gateway?.close();
  });

  it('emits the request metrics by model and by team, with values matching the response', async () => {
    await admin(gateway, 'POST', '/team/new', { team_id: 'analytics' });
    const client = openaiClient(gateway, await generateKey(gateway, { team_id: 'analytics', key_alias: 'secret-alias' }));
    const { data: completion, response } = await client.chat.completions
      .create({ model: 'echo', stream: false, messages: [{ role: 'user', content: 'measure me please' }] })
      .withResponse();
    await gateway.settled();

    const byModel = lines.find((line) => line.model === 'echo' && 'Requests' in line)!;
    const byTeam = lines.find((line) => line.team === 'analytics')!;
    expect(byModel._aws.CloudWatchMetrics[0].Namespace).toBe('Tollway');
    expect(byModel._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'model']]);
    expect(byModel).toMatchObject({
      Requests: 1,
      InputTokens: completion.usage!.prompt_tokens,
      OutputTokens: completion.usage!.completion_tokens,
      CostUSD: Number(response.headers.get('x-tollway-cost-usd')),
    });
    expect(byModel.Latency).toBeGreaterThan(0);
    expect(byModel.GatewayOverhead).toBeGreaterThanOrEqual(0);
    expect(byModel).not.toHaveProperty('Errors');
    expect(byTeam).toMatchObject({ Requests: 1, OutputTokens: completion.usage!.completion_tokens });
    const units = Object.fromEntries(byModel._aws.CloudWatchMetrics[0].Metrics.map((metric) => [metric.Name, metric.Unit]));
    expect(units).toMatchObject({ Requests: 'Count', Latency: 'Milliseconds', CostUSD: 'None' });
    for (const line of lines) {
      const text = JSON.stringify(line);
      expect(text).not.toContain('secret-alias');
      expect(text).not.toContain(client.apiKey);
      for (const metric of line._aws.CloudWatchMetrics[0].Metrics) expect(Object.keys(metricDefinitions)).toContain(metric.Name);
    }
  });

  it('counts budget refusals', async () => {
    const client = openaiClient(gateway, await generateKey(gateway, { max_budget: 0.000001 }));
    await client.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'x' }] }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(lines.some((line) => line.model === 'echo' && line.BudgetRejected === 1)).toBe(true);
  });
});

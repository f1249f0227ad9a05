import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetClient } from '../../bench/client.js';
import { costModel } from '../../bench/cost-model.js';
import { prices } from '../../bench/prices.js';
import type { RecordedDynamoCall } from '../../bench/processes/dynalite.js';
import { startChild, type Child } from '../../bench/processes/spawn.js';
import { chatFunctionMemoryMb } from '../../lib/function-memory.js';

describe('what the bench counts: DynamoDB calls at dynalite, arrivals at the upstream', () => {
  let dynalite: Child<{ endpoint: string }>;
  let upstream: Child<{ baseUrl: string }>;

  beforeAll(async () => {
    [dynalite, upstream] = await Promise.all([
      startChild<{ endpoint: string }>('dynalite', {}),
      startChild<{ baseUrl: string }>('upstream', { latencyMs: 0, streamChunks: 1, chunkIntervalMs: 1 }),
    ]);
  });

  afterAll(async () => {
    await dynalite?.stop();
    await upstream?.stop();
  });

  it('records each DynamoDB call with its arrival time and operation, and forgets them on reset', async () => {
    // Prepare
    const client = new DynamoDBClient({ endpoint: dynalite.ready.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const before = performance.timeOrigin + performance.now();

    // Act
    await client.send(new ListTablesCommand({}));
    const calls = await dynalite.report<RecordedDynamoCall[]>({ reset: true });
    const afterReset = await dynalite.report<RecordedDynamoCall[]>();
    client.destroy();

    // Assess
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ operation: 'ListTables', writeItems: 0 });
    expect(calls[0].at).toBeGreaterThanOrEqual(before - 5);
    expect(afterReset).toEqual([]);
  });

  it('records when each request reached the upstream, after the client sent it', async () => {
    // Prepare
    const url = new URL(upstream.ready.baseUrl);
    const client = new TargetClient({ origin: url.origin, path: `${url.pathname}/chat/completions`, headers: {}, body: Buffer.from('{"model":"m","messages":[]}') });
    await upstream.report({ reset: true });

    // Act
    const first = await client.send();
    const second = await client.send();
    const arrivals = await upstream.report<number[]>({ reset: true });
    client.close();

    // Assess
    expect(arrivals).toHaveLength(2);
    expect(arrivals[0]).toBeGreaterThanOrEqual(first.sentAt - 5);
    expect(arrivals[1]).toBeGreaterThan(arrivals[0]);
    expect(arrivals[1]).toBeGreaterThanOrEqual(second.sentAt - 5);
  });
});

describe('the cost model', () => {
  it('bills on-demand Lambda at the configured memory for the stream plus the added time, and DynamoDB by the measured units', () => {
    const model = costModel({ writeUnitsPerCompletion: 4, readUnitsPerCompletion: 1, addedMs: 0 }, [1, 10]);

    const [oneSecond, tenSeconds] = model.rows;
    expect(oneSecond.lambdaOnDemandUsd).toBeCloseTo(1e6 * (chatFunctionMemoryMb / 1024) * prices.lambda.perGbSecond + prices.lambda.perMillionRequests, 6);
    expect(tenSeconds.lambdaOnDemandUsd - prices.lambda.perMillionRequests).toBeCloseTo(10 * (oneSecond.lambdaOnDemandUsd - prices.lambda.perMillionRequests), 6);
    expect(oneSecond.dynamodbUsd).toBeCloseTo(4 * prices.dynamodb.perMillionWriteUnits + prices.dynamodb.perMillionReadUnits, 6);
    expect(oneSecond.apiGatewayUsd).toBe(prices.apiGateway.restPerMillionRequests);
  });

  it('fills a managed instance with 64 streams per vCPU unless its CPU runs out first', () => {
    const hourly = prices.managedInstances.instancePerHour * 1.15;
    // 128 streams of 1 s at once: 128 completions a second.
    const byConcurrency = costModel({ writeUnitsPerCompletion: 0, readUnitsPerCompletion: 0, addedMs: 0 }, [1]).rows[0];
    // 100 ms of CPU each: 2 vCPUs serve 20 a second.
    const byCpu = costModel({ writeUnitsPerCompletion: 0, readUnitsPerCompletion: 0, addedMs: 0, cpuMsPerCompletion: 100 }, [1]).rows[0];

    expect(byConcurrency.managedInstancesBound).toBe('concurrency');
    expect(byConcurrency.managedInstancesUsd).toBeCloseTo((1e6 / 128 / 3600) * hourly + prices.lambda.perMillionRequests, 6);
    expect(byCpu.managedInstancesBound).toBe('cpu');
    expect(byCpu.managedInstancesUsd).toBeCloseTo((1e6 / 20 / 3600) * hourly + prices.lambda.perMillionRequests, 6);
  });
});

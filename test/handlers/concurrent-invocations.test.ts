/**
 * Lambda Managed Instances run many invocations at once in one execution
 * environment. The real chat handler (middy, Powertools, the gateway runtime,
 * dynalite) is invoked 100 times concurrently in this one process, the way
 * the managed-instances runtime does it: `AWS_LAMBDA_MAX_CONCURRENCY` set,
 * and each invocation run inside the runtime's `InvokeStore` context. Every
 * response, usage record and EMF line must belong to its own request.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { configSchema } from '../../functions/core/config/schema.js';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../functions/local/local-dynamodb.js';
import { requestIdProperty } from '../../functions/observability/emf-metrics.js';
import { lambdaContext as lambdaInvocationContext, lambdaStreamingGlobals, nullDelimiter, proxyEvent as apiGatewayEvent, ResponseStream, startSecretsManager, type BufferedHandler, type StreamingHandler } from '../support/lambda-runtime.js';

const concurrentInvocations = 100;
/** Keys the invocations are spread over: ten requests in flight on each. */
const keyCount = 10;

const lambdaContext = (functionName: string, awsRequestId: string): Context => lambdaInvocationContext(functionName, { awsRequestId, memoryLimitInMB: '2048' });
const proxyEvent = (method: string, path: string, headers: Record<string, string>, body?: unknown) => apiGatewayEvent({ method, path, headers, body });

const masterKey = 'Cq7Wm2Xr9Tb4Ln8Vd3Hs6Kf1Gz5Pj0Ya2Ue7Ri4Oc9Nw3Mx';
const masterKeySecretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:TollwayMasterKeySecret-AbC123';

interface EmfLine {
  _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] };
  [field: string]: unknown;
}

describe('the chat handler under 100 concurrent invocations in one environment', () => {
  let dynamo: LocalDynamoDB;
  let secretsManager: Server;
  let invokeStore: InvokeStoreBase & { run<T>(context: Record<symbol, unknown>, work: () => T): T };
  let chatHandler: StreamingHandler;
  let adminHandler: BufferedHandler;
  const emfLines: EmfLine[] = [];
  const invocations: Array<{ requestId: string; keyId: string; prompt: string; stream: boolean; bytes: Buffer }> = [];

  /** One invocation as the managed-instances runtime makes it: inside its own InvokeStore context. */
  const invoke = <Result>(requestId: string, work: () => Promise<Result>): Promise<Result> =>
    invokeStore.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: requestId, [InvokeStoreBase.PROTECTED_KEYS.X_RAY_TRACE_ID]: `Root=1-00000000-${requestId.slice(-24)}` }, work);

  beforeAll(async () => {
    // What the managed-instances runtime does before any user code: Powertools (and the AWS SDK) then keep their state per invocation.
    process.env.AWS_LAMBDA_MAX_CONCURRENCY = String(concurrentInvocations);
    // The runtime's invocation store (AsyncLocalStorage-backed with AWS_LAMBDA_MAX_CONCURRENCY), on the `awslambda` global.
    invokeStore = (await InvokeStore.getInstanceAsync()) as typeof invokeStore;
    dynamo = await startLocalDynamoDB(':memory:');
    secretsManager = await startSecretsManager(masterKeySecretArn, masterKey);
    const config = configSchema.parse({
      models: [{ name: 'echo', provider: 'echo', price: { input_per_mtok: 1, output_per_mtok: 2 } }],
      deployment: { compute: 'managed-instances' },
      // In-process dynalite answers 100 concurrent requests' calls one after another; this test is about attribution, not latency.
      settings: { dynamodb_timeout_ms: 30_000 },
    });
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      TOLLWAY_KEYS_TABLE: dynamo.tableNames.keys,
      TOLLWAY_BUDGETS_TABLE: dynamo.tableNames.budgets,
      TOLLWAY_USAGE_TABLE: dynamo.tableNames.usage,
      TOLLWAY_RESPONSES_TABLE: dynamo.tableNames.responses,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(secretsManager.address() as AddressInfo).port}`,
      TOLLWAY_MASTER_KEY_SECRET_ARN: masterKeySecretArn,
      TOLLWAY_CONFIG_JSON: JSON.stringify(config),
      POWERTOOLS_SERVICE_NAME: 'tollway',
      POWERTOOLS_METRICS_NAMESPACE: 'Tollway',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_TRACE_ENABLED: 'false',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'lambda-managed-instances',
    });
    Object.assign((globalThis as unknown as { awslambda: object }).awslambda, lambdaStreamingGlobals);
    const write = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, encoding?: BufferEncoding, callback?: (error?: Error | null) => void): boolean => {
      const text = String(chunk);
      if (!text.includes('"_aws"')) return write(chunk, encoding, callback);
      for (const line of text.split('\n').filter(Boolean)) emfLines.push(JSON.parse(line) as EmfLine);
      return true;
    });
    chatHandler = (await import('../../functions/handlers/chat.js')).handler as unknown as StreamingHandler;
    adminHandler = (await import('../../functions/handlers/admin.js')).handler as unknown as BufferedHandler;

    // Keys with a budget and an rpm limit, generated by concurrent admin invocations.
    const keys = await Promise.all(
      Array.from({ length: keyCount }, async (_, index) => {
        const requestId = `admin-${String(index).padStart(4, '0')}`;
        const result = await invoke(requestId, () =>
          adminHandler(
            proxyEvent('POST', '/key/generate', { Authorization: `Bearer ${masterKey}`, 'Content-Type': 'application/json' }, { key_alias: `concurrent-${index}`, max_budget: 5, rpm_limit: 1000 }),
            lambdaContext('admin', requestId),
          ),
        );
        expect(result.statusCode).toBe(200);
        return JSON.parse(result.body) as { key: string; key_id: string };
      }),
    );
    emfLines.length = 0;

    // Act: 100 invocations at once, half streamed, each with a prompt of its own length, ten on each key.
    await Promise.all(
      Array.from({ length: concurrentInvocations }, (_, index) => {
        const { key, key_id: keyId } = keys[index % keyCount];
        const requestId = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
        const prompt = `request ${index} says ${'word '.repeat(index + 1).trim()}`;
        const stream = index % 2 === 0;
        const responseStream = new ResponseStream();
        return invoke(requestId, async () => {
          await chatHandler(
            proxyEvent('POST', '/v1/chat/completions', { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, { model: 'echo', stream, messages: [{ role: 'user', content: prompt }] }),
            responseStream,
            lambdaContext('chat', requestId),
          );
          invocations.push({ requestId, keyId, prompt, stream, bytes: responseStream.bytes });
        });
      }),
    );
  }, 120_000);

  afterAll(async () => {
    vi.restoreAllMocks();
    await dynamo?.close();
    await new Promise<void>((resolve) => (secretsManager ? secretsManager.close(() => resolve()) : resolve()));
  });

  it('answers every invocation with its own request id and its own prompt', () => {
    expect(invocations).toHaveLength(concurrentInvocations);
    for (const invocation of invocations) {
      const delimiterAt = invocation.bytes.indexOf(nullDelimiter);
      const prelude = JSON.parse(invocation.bytes.subarray(0, delimiterAt).toString('utf8')) as { statusCode: number; headers: Record<string, string> };
      const body = invocation.bytes.subarray(delimiterAt + nullDelimiter.length).toString('utf8');
      expect(prelude.statusCode, `${invocation.requestId}: ${body.slice(0, 300)}`).toBe(200);
      expect(prelude.headers['x-request-id']).toBe(invocation.requestId);
      const text = invocation.stream
        ? body
            .split('\n\n')
            .filter((event) => event.startsWith('data: {'))
            .map((event) => (JSON.parse(event.slice('data: '.length)) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
            .join('')
        : (JSON.parse(body) as { choices: { message: { content: string } }[] }).choices[0].message.content;
      expect(text).toBe(invocation.prompt);
    }
  });

  it('writes one usage record per request, under its own key and with its own token counts', async () => {
    const scanned = await dynamo.clients.documents.send(new ScanCommand({ TableName: dynamo.tableNames.usage }));
    const records = new Map((scanned.Items ?? []).map((item) => [item.request_id as string, item]));

    expect(records.size).toBe(concurrentInvocations);
    const outputTokens = new Set<number>();
    for (const invocation of invocations) {
      const record = records.get(invocation.requestId);
      expect(record, invocation.requestId).toMatchObject({ key_id: invocation.keyId, model: 'echo', stream: invocation.stream });
      outputTokens.add(record!.output_tokens as number);
    }
    // The echo model answers with the prompt, and every prompt has its own length.
    expect(outputTokens.size).toBe(concurrentInvocations);
  });

  it("publishes every request's metrics on lines of its own, naming the request, with its own values", async () => {
    const scanned = await dynamo.clients.documents.send(new ScanCommand({ TableName: dynamo.tableNames.usage }));
    const outputTokensByRequest = new Map((scanned.Items ?? []).map((item) => [item.request_id as string, item.output_tokens as number]));
    const requestLines = emfLines.filter((line) => line._aws.CloudWatchMetrics[0].Metrics.some((metric) => metric.Name === 'Requests'));

    // One line by model and one by team for each request; a line holding two requests' values would carry arrays.
    expect(requestLines).toHaveLength(2 * concurrentInvocations);
    for (const invocation of invocations) {
      const own = requestLines.filter((line) => line[requestIdProperty] === invocation.requestId);
      expect(own.map((line) => (line.model ? 'model' : 'team')).sort(), invocation.requestId).toEqual(['model', 'team']);
      for (const line of own) expect(line).toMatchObject({ Requests: 1, OutputTokens: outputTokensByRequest.get(invocation.requestId) });
    }
  });
});

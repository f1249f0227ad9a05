/**
 * The real chat and admin handlers (middy, Powertools, the gateway runtime)
 * over an in-process dynalite. Only what cannot run here is stood in for:
 * Secrets Manager (a local endpoint answering with the recorded response
 * shape) and the Lambda runtime's `awslambda` streaming globals.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { configSchema } from '../../functions/core/config/schema.js';
import { settlementReserveMs } from '../../functions/handlers/lambda-host.js';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../functions/local/local-dynamodb.js';
import { lambdaContext as lambdaInvocationContext, lambdaStreamingGlobals, nullDelimiter, proxyEvent as apiGatewayEvent, ResponseStream, startSecretsManager, type BufferedHandler, type StreamingHandler } from '../support/lambda-runtime.js';

const masterKey = 'Zr4kq8XbT2mNw7Lp0sVd9Hc3Fy6Gj1Ua5Qe8Ro2Ti4Yw7Kx';
const masterKeySecretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:TollwayMasterKeySecret-AbC123';

let invocation = 0;
const lambdaContext = (functionName: string, remainingMs = 60_000): Context => {
  invocation += 1;
  return lambdaInvocationContext(functionName, { awsRequestId: `00000000-0000-4000-8000-${String(invocation).padStart(12, '0')}`, memoryLimitInMB: '1024', remainingMs });
};
const proxyEvent = (method: string, path: string, headers: Record<string, string>, body?: unknown) => apiGatewayEvent({ method, path, headers, body });

describe('Lambda handlers', () => {
  let dynamo: LocalDynamoDB;
  let secretsManager: Server;
  /** An OpenAI-compatible upstream that accepts requests and never answers; counts the ones whose connection was closed. */
  let stalled: Server;
  let stalledAborted = 0;
  let chatHandler: StreamingHandler;
  let adminHandler: BufferedHandler;
  const stdout: string[] = [];

  beforeAll(async () => {
    dynamo = await startLocalDynamoDB(':memory:');
    secretsManager = await startSecretsManager(masterKeySecretArn, masterKey);
    stalled = createServer((request) => request.socket.once('close', () => (stalledAborted += 1)));
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    const config = configSchema.parse({
      models: [
        { name: 'echo', provider: 'echo', price: { input_per_mtok: 1, output_per_mtok: 2 } },
        {
          name: 'stalled',
          provider: 'openai-compatible',
          base_url: `http://127.0.0.1:${(stalled.address() as AddressInfo).port}/v1`,
          model: 'never-answers',
          price: { input_per_mtok: 1, output_per_mtok: 2 },
        },
      ],
    });
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(secretsManager.address() as AddressInfo).port}`,
      TOLLWAY_KEYS_TABLE: dynamo.tableNames.keys,
      TOLLWAY_BUDGETS_TABLE: dynamo.tableNames.budgets,
      TOLLWAY_USAGE_TABLE: dynamo.tableNames.usage,
      TOLLWAY_RESPONSES_TABLE: dynamo.tableNames.responses,
      TOLLWAY_MASTER_KEY_SECRET_ARN: masterKeySecretArn,
      // In the bundle, esbuild compiles this in; here the variable stands in for it.
      TOLLWAY_CONFIG_JSON: JSON.stringify(config),
      POWERTOOLS_SERVICE_NAME: 'tollway',
      POWERTOOLS_METRICS_NAMESPACE: 'Tollway',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_TRACE_ENABLED: 'false',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    });
    Object.assign(globalThis, { awslambda: lambdaStreamingGlobals });
    const write = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, 'write').mockImplementation(
      (chunk: string | Uint8Array, encoding?: BufferEncoding, callback?: (error?: Error | null) => void): boolean => {
        stdout.push(String(chunk));
        // EMF lines are kept for the assertions below, not printed.
        return String(chunk).includes('"_aws"') ? true : write(chunk, encoding, callback);
      },
    );
    // Imported only now: middy asks for `awslambda` and Powertools reads its settings when the modules load.
    chatHandler = (await import('../../functions/handlers/chat.js')).handler as unknown as StreamingHandler;
    adminHandler = (await import('../../functions/handlers/admin.js')).handler as unknown as BufferedHandler;
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await dynamo?.close();
    await new Promise<void>((resolve) => (secretsManager ? secretsManager.close(() => resolve()) : resolve()));
    stalled?.closeAllConnections();
    await new Promise<void>((resolve) => (stalled ? stalled.close(() => resolve()) : resolve()));
  });

  const generateKey = async (): Promise<string> => {
    const result = await adminHandler(
      proxyEvent('POST', '/key/generate', { Authorization: `Bearer ${masterKey}`, 'Content-Type': 'application/json' }, { key_alias: 'handler-test' }),
      lambdaContext('admin'),
    );
    expect(result.statusCode).toBe(200);
    return (JSON.parse(result.body) as { key: string }).key;
  };

  it('answers health on the admin function without a key', async () => {
    const result = await adminHandler(proxyEvent('GET', '/health', {}), lambdaContext('admin'));

    expect(result).toMatchObject({ statusCode: 200, isBase64Encoded: false });
    expect(JSON.parse(result.body)).toEqual({ status: 'ok' });
  });

  it('answers a crafted /spend/logs cursor with 400 invalid_cursor, not a DynamoDB error', async () => {
    const crafted = Buffer.from(JSON.stringify({ after: { request_id: 'a', created_at: '2026-01-01T00:00:00.000Z', key_id: 'someone-else' } })).toString('base64url');
    const event = { ...proxyEvent('GET', '/spend/logs', { Authorization: `Bearer ${masterKey}` }), queryStringParameters: { key: 'b'.repeat(64), cursor: crafted } };
    event.multiValueQueryStringParameters = { key: ['b'.repeat(64)], cursor: [crafted] };

    const result = await adminHandler(event, lambdaContext('admin'));

    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'invalid_cursor', param: 'cursor' } });
  });

  it('rejects the admin routes without the master key read from Secrets Manager', async () => {
    const result = await adminHandler(
      proxyEvent('POST', '/key/generate', { Authorization: 'Bearer not-the-master-key' }, {}),
      lambdaContext('admin'),
    );

    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body)).toMatchObject({ error: { type: 'authentication_error' } });
  });

  it('streams a completion as prelude, delimiter and SSE, and records usage before the invocation returns', async () => {
    const key = await generateKey();
    const stream = new ResponseStream();

    await chatHandler(
      proxyEvent(
        'POST',
        '/v1/chat/completions',
        { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        { model: 'echo', stream: true, messages: [{ role: 'user', content: 'hello from lambda' }] },
      ),
      stream,
      lambdaContext('chat'),
    );

    const delimiterAt = stream.bytes.indexOf(nullDelimiter);
    expect(delimiterAt).toBeGreaterThan(0);
    const prelude = JSON.parse(stream.bytes.subarray(0, delimiterAt).toString('utf8')) as { statusCode: number; headers: Record<string, string> };
    expect(prelude.statusCode).toBe(200);
    expect(prelude.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(prelude.headers['x-request-id']).toBeTruthy();

    const events = stream.bytes
      .subarray(delimiterAt + nullDelimiter.length)
      .toString('utf8')
      .split('\n\n')
      .filter((event) => event.startsWith('data: '))
      .map((event) => event.slice('data: '.length));
    expect(events.at(-1)).toBe('[DONE]');
    const text = events
      .slice(0, -1)
      .map((event) => (JSON.parse(event) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
      .join('');
    expect(text).toBe('hello from lambda');
    expect(stream.finished).toBe(true);

    const usage = await dynamo.clients.documents.send(new ScanCommand({ TableName: dynamo.tableNames.usage }));
    expect(usage.Items?.map((item) => item.model)).toEqual(['echo']);
  });

  it('writes the proxy-result JSON itself for a buffered route of the streaming function', async () => {
    const key = await generateKey();
    const stream = new ResponseStream();

    await chatHandler(proxyEvent('GET', '/v1/models', { Authorization: `Bearer ${key}` }), stream, lambdaContext('chat'));

    expect(stream.bytes.includes(nullDelimiter)).toBe(false);
    const result = JSON.parse(stream.bytes.toString('utf8')) as APIGatewayProxyResult;
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ object: 'list', data: expect.arrayContaining([expect.objectContaining({ id: 'echo' })]) });
  });

  it('ends a request whose upstream outlasts the invocation settlementReserveMs before its end: 504, upstream aborted, hold settled, usage recorded', async () => {
    // Prepare
    const created = await adminHandler(
      proxyEvent('POST', '/key/generate', { Authorization: `Bearer ${masterKey}`, 'Content-Type': 'application/json' }, { key_alias: 'deadline', max_budget: 10 }),
      lambdaContext('admin'),
    );
    const { key, key_id: keyId } = JSON.parse(created.body) as { key: string; key_id: string };
    const stream = new ResponseStream();
    const startedAt = performance.now();

    // Act: 400 ms left before the settlement reserve, against an upstream with the router's default 600 s timeout.
    await chatHandler(
      proxyEvent('POST', '/v1/chat/completions', { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, { model: 'stalled', messages: [{ role: 'user', content: 'never answered' }] }),
      stream,
      lambdaContext('chat', settlementReserveMs + 400),
    );
    const elapsedMs = performance.now() - startedAt;
    const info = await adminHandler(
      { ...proxyEvent('GET', '/key/info', { Authorization: `Bearer ${masterKey}` }), queryStringParameters: { key: keyId }, multiValueQueryStringParameters: { key: [keyId] } },
      lambdaContext('admin'),
    );

    // Assess
    const delimiterAt = stream.bytes.indexOf(nullDelimiter);
    const prelude = JSON.parse(stream.bytes.subarray(0, delimiterAt).toString('utf8')) as { statusCode: number };
    expect(prelude.statusCode).toBe(504);
    expect(JSON.parse(stream.bytes.subarray(delimiterAt + nullDelimiter.length).toString('utf8'))).toMatchObject({ error: { code: 'invocation_deadline' } });
    expect(elapsedMs).toBeLessThan(5_000);
    expect(stalledAborted).toBeGreaterThanOrEqual(1);
    const usage = await dynamo.clients.documents.send(new ScanCommand({ TableName: dynamo.tableNames.usage }));
    const records = usage.Items?.filter((item) => item.model === 'stalled') ?? [];
    expect(records.map((item) => [item.outcome, item.status])).toEqual([['error', 504]]);
    // The upstream had read the prompt: the request is billed its estimated input, and nothing stays held.
    expect(records[0].cost_usd).toBeGreaterThan(0);
    expect(JSON.parse(info.body)).toMatchObject({ info: { spend: records[0].cost_usd, reserved_spend: 0 } });
  });

  it('emits the cold-start metric once, for the first invocation, in the Tollway namespace', () => {
    const metrics = stdout
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as { _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] }; function_name?: string });

    const coldStarts = metrics.filter((entry) => entry._aws.CloudWatchMetrics[0]?.Metrics.some((metric) => metric.Name === 'ColdStart'));
    expect(coldStarts).toHaveLength(1);
    expect(coldStarts[0]).toMatchObject({ function_name: 'admin', _aws: { CloudWatchMetrics: [{ Namespace: 'Tollway' }] } });
  });
});

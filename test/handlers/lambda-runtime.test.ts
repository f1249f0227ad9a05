import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { configSchema } from '../../functions/core/config/schema.js';
import { BackgroundTasks, settlementReserveMs } from '../../functions/handlers/lambda-host.js';
import { lambdaGateway, lambdaRuntimeOptions, tableNamesFrom } from '../../functions/handlers/lambda-runtime.js';
import { lambdaContext, proxyEvent } from '../support/lambda-runtime.js';

describe('tableNamesFrom', () => {
  it('reads each table name from the variable its definition names', () => {
    expect(tableNamesFrom({ TOLLWAY_KEYS_TABLE: 'k', TOLLWAY_BUDGETS_TABLE: 'b', TOLLWAY_USAGE_TABLE: 'u', TOLLWAY_RESPONSES_TABLE: 'r' })).toEqual({
      keys: 'k',
      budgets: 'b',
      usage: 'u',
      responses: 'r',
    });
  });

  it('names the missing variable', () => {
    expect(() => tableNamesFrom({ TOLLWAY_KEYS_TABLE: 'k', TOLLWAY_USAGE_TABLE: 'u' })).toThrow('TOLLWAY_BUDGETS_TABLE');
  });
});

describe('lambdaRuntimeOptions: secrets from Secrets Manager', () => {
  const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:TollwayMasterKeySecret-AbC123';
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  let server: Server;
  let environment: Record<string, string>;

  beforeAll(async () => {
    // Answers as Secrets Manager does (AWS JSON 1.1): the master key, a denied secret, and not found for the rest.
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        const { SecretId } = JSON.parse(body) as { SecretId: string };
        response.setHeader('content-type', 'application/x-amz-json-1.1');
        if (SecretId === secretArn) return response.end(JSON.stringify({ ARN: secretArn, Name: 'TollwayMasterKeySecret', SecretString: 'the-master-key', VersionStages: ['AWSCURRENT'] }));
        response.statusCode = 400;
        if (SecretId === 'denied') return response.end(JSON.stringify({ __type: 'AccessDeniedException', message: 'not allowed' }));
        response.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    environment = {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'session',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      TOLLWAY_KEYS_TABLE: 'k',
      TOLLWAY_BUDGETS_TABLE: 'b',
      TOLLWAY_USAGE_TABLE: 'u',
      TOLLWAY_RESPONSES_TABLE: 'r',
      TOLLWAY_MASTER_KEY_SECRET_ARN: secretArn,
    };
    // The SDK reads credentials and endpoints from the process environment, as in Lambda.
    for (const [name, value] of Object.entries(environment)) vi.stubEnv(name, value);
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  const config = configSchema.parse({ models: [{ name: 'echo', provider: 'echo' }] });

  it('reads the master key with a GetSecretValue call signed for the function region with its credentials', async () => {
    // Prepare
    const options = lambdaRuntimeOptions('admin', config, environment);

    // Act
    const masterKey = await options.masterKey();

    // Assess
    expect(masterKey).toBe('the-master-key');
    const call = received.at(-1)!;
    expect(call.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(call.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(call.headers['x-amz-security-token']).toBe('session');
    expect(String(call.headers.authorization)).toContain('Credential=AKIDEXAMPLE/');
    expect(String(call.headers.authorization)).toContain('/eu-west-1/secretsmanager/aws4_request');
    expect(JSON.parse(call.body)).toEqual({ SecretId: secretArn });
  });

  it('resolves a secret that does not exist to undefined, and rejects with any other failure', async () => {
    // Prepare
    const options = lambdaRuntimeOptions('chat', config, environment);

    // Act
    const missing = await options.resolveSecret('no-such-secret');
    const denied = await options.resolveSecret('denied').catch((error: unknown) => error);

    // Assess
    expect(missing).toBeUndefined();
    expect(denied).toMatchObject({ cause: { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } } });
  });

  it('reads a secret once within its five-minute cache (Powertools Parameters), and a missing one again each time', async () => {
    // Prepare
    const options = lambdaRuntimeOptions('chat', config, environment);
    const callsBefore = received.length;

    // Act
    const first = await options.resolveSecret(secretArn);
    const second = await options.resolveSecret(secretArn);
    await options.resolveSecret('no-such-secret');
    await options.resolveSecret('no-such-secret');

    // Assess
    expect([first, second]).toEqual(['the-master-key', 'the-master-key']);
    expect(received.slice(callsBefore).map((call) => (JSON.parse(call.body) as { SecretId: string }).SecretId)).toEqual([secretArn, 'no-such-secret', 'no-such-secret']);
  });

  it('names AWS_REGION when the environment lacks it', () => {
    const { AWS_REGION: _region, ...withoutRegion } = environment;
    expect(() => lambdaRuntimeOptions('chat', config, withoutRegion)).toThrow('AWS_REGION');
  });
});

describe('lambdaGateway', () => {
  afterAll(() => vi.unstubAllEnvs());

  it("gives the request the invocation's deadline as its signal, for what reads request.signal (the MCP relay)", async () => {
    // Prepare: a bundle's variables, and a gateway that keeps the request it is handed.
    const variables = { AWS_REGION: 'us-east-1', TOLLWAY_KEYS_TABLE: 'k', TOLLWAY_BUDGETS_TABLE: 'b', TOLLWAY_USAGE_TABLE: 'u', TOLLWAY_RESPONSES_TABLE: 'r' };
    for (const [name, value] of Object.entries(variables)) vi.stubEnv(name, value);
    vi.stubEnv('TOLLWAY_CONFIG_JSON', JSON.stringify(configSchema.parse({ models: [{ name: 'echo', provider: 'echo' }] })));
    let handed: Request | undefined;
    const serve = lambdaGateway('chat', () => ({ handle: async (request) => ((handed = request), new Response('{}')) }));

    // Act: an invocation with 50 ms left before its settlement reserve.
    const response = await serve(
      proxyEvent({ method: 'GET', path: '/v1/models', headers: {} }),
      lambdaContext('chat', { awsRequestId: 'deadline-1', remainingMs: settlementReserveMs + 50 }),
      new BackgroundTasks(),
    );
    const abortedAtOnce = handed?.signal.aborted;
    await new Promise((resolve) => setTimeout(resolve, 150));

    // Assess
    expect(response.status).toBe(200);
    expect(abortedAtOnce).toBe(false);
    expect(handed?.signal.aborted).toBe(true);
    expect(handed?.signal.reason).toMatchObject({ status: 504, code: 'invocation_deadline' });
  });
});

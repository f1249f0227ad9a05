import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsClient, callJsonOperation, regionalEndpoint } from '../../functions/aws/aws-client.js';
import { AwsServiceError } from '../../functions/aws/aws-service-error.js';
import { environmentCredentials, staticCredentials, type AwsCredentials } from '../../functions/aws/credentials.js';

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A local endpoint that records each request and gives the next answer of `answers` (the last one repeats). */
const endpointAnswering = async (answers: Answer[]) => {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body });
      const answer = answers[Math.min(received.length - 1, answers.length - 1)];
      response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0', ...answer.headers });
      response.end(answer.body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
};

/** node:crypto behind the checksum interface `@smithy/signature-v4` expects. */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytesOf = (data: SourceData) =>
  typeof data === 'string' ? data : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
class NodeSha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret ? createHmac('sha256', bytesOf(secret)) : createHash('sha256');
  }
  update(data: SourceData) {
    this.hash.update(bytesOf(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

/** What the AWS SDK's own signer computes for the request as it arrived, over the headers the client said it signed. */
const expectedAuthorization = async (request: Received, credentials: AwsCredentials, service: string, region: string) => {
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(String(request.headers.authorization))?.[1]?.split(';') ?? [];
  const headers = Object.fromEntries(signedHeaders.map((name) => [name, String(request.headers[name])]));
  const amzDate = String(request.headers['x-amz-date']);
  const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const signer = new SignatureV4({ service, region, credentials, sha256: NodeSha256, applyChecksum: false });
  const [hostname, port] = String(request.headers.host).split(':');
  const signed = await signer.sign(
    { method: request.method, protocol: 'http:', hostname, port: Number(port), path: request.path, query: {}, headers, body: request.body },
    { signingDate },
  );
  return { authorization: signed.headers.authorization, signedHeaders };
};

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-example' };
const noWait = async () => undefined;

describe('AwsClient', () => {
  it('signs a JSON-protocol call so that the AWS SDK signer agrees, session token included', async () => {
    // Prepare
    const { endpoint, received } = await endpointAnswering([{ status: 200, body: '{"Item":{"pk":{"S":"a"}}}' }]);
    const client = new AwsClient({ service: 'dynamodb', region: 'eu-west-1', endpoint, credentials: staticCredentials(credentials) });

    // Act
    const output = await callJsonOperation(client, 'DynamoDB_20120810.GetItem', { TableName: 't', Key: { pk: { S: 'a' } } }, { version: '1.0' });

    // Assess
    expect(output).toEqual({ Item: { pk: { S: 'a' } } });
    const request = received[0];
    expect(request.headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(request.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(request.headers['x-amz-security-token']).toBe('session-token-example');
    const expected = await expectedAuthorization(request, credentials, 'dynamodb', 'eu-west-1');
    expect(expected.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-target', 'content-type', 'x-amz-security-token']));
    expect(request.headers.authorization).toBe(expected.authorization);
  });

  it('signs an already-encoded REST path (a model id with a colon) under the signing name, as the SDK does', async () => {
    // Prepare
    const { endpoint, received } = await endpointAnswering([{ status: 200, body: '{}' }]);
    const client = new AwsClient({ service: 'bedrock-runtime', signingName: 'bedrock', region: 'us-east-1', endpoint, credentials: staticCredentials(credentials) });

    // Act
    await client.json({ path: '/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse', headers: { 'content-type': 'application/json' }, body: '{"messages":[]}' });

    // Assess
    expect(received[0].path).toBe('/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse');
    expect(String(received[0].headers.authorization)).toContain('/us-east-1/bedrock/aws4_request');
    const expected = await expectedAuthorization(received[0], credentials, 'bedrock', 'us-east-1');
    expect(received[0].headers.authorization).toBe(expected.authorization);
  });

  it('names a service error as the SDK would and does not retry a client error', async () => {
    // Prepare
    const { endpoint, received } = await endpointAnswering([
      { status: 400, body: '{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}', headers: { 'x-amzn-requestid': 'req-1' } },
    ]);
    const client = new AwsClient({ service: 'dynamodb', region: 'local', endpoint, credentials: staticCredentials(credentials), sleep: noWait });

    // Act
    const error = await callJsonOperation(client, 'DynamoDB_20120810.UpdateItem', {}, { version: '1.0' }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toMatchObject({ name: 'ConditionalCheckFailedException', message: 'The conditional request failed', $metadata: { httpStatusCode: 400, requestId: 'req-1' }, $fault: 'client' });
    expect(received).toHaveLength(1);
  });

  it('tries throttled and failed calls again, up to maxAttempts', async () => {
    // Prepare
    const { endpoint, received } = await endpointAnswering([
      { status: 400, body: '{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}' },
      { status: 500, headers: { 'content-type': 'text/html' }, body: '<html>oops</html>' },
      { status: 200, body: '{"ok":true}' },
    ]);
    const client = new AwsClient({ service: 'dynamodb', region: 'local', endpoint, credentials: staticCredentials(credentials), maxAttempts: 3, sleep: noWait });

    // Act
    const output = await callJsonOperation(client, 'DynamoDB_20120810.UpdateItem', {}, { version: '1.0' });

    // Assess
    expect(output).toEqual({ ok: true });
    expect(received).toHaveLength(3);
  });

  it('gives up after maxAttempts with the last error, a server fault named from its status', async () => {
    // Prepare
    const { endpoint, received } = await endpointAnswering([{ status: 503, headers: { 'content-type': 'text/html' }, body: '<html>busy</html>' }]);
    const client = new AwsClient({ service: 'bedrock-runtime', region: 'local', endpoint, credentials: staticCredentials(credentials), maxAttempts: 1, sleep: noWait });

    // Act
    const error = await client.json({ path: '/model/m/converse', body: '{}' }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ name: 'InternalServerError', $metadata: { httpStatusCode: 503 }, $fault: 'server' });
    expect(received).toHaveLength(1);
  });

  it('reads the error type from x-amzn-errortype when the service puts it there', async () => {
    // Prepare
    const { endpoint } = await endpointAnswering([{ status: 429, headers: { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/' }, body: '{"message":"Too many requests"}' }]);
    const client = new AwsClient({ service: 'bedrock-runtime', region: 'local', endpoint, credentials: staticCredentials(credentials), maxAttempts: 1 });

    // Act
    const error = await client.json({ path: '/model/m/converse', body: '{}' }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ name: 'ThrottlingException', message: 'Too many requests', $metadata: { httpStatusCode: 429 } });
  });

  it('stops waiting when the caller aborts', async () => {
    // Prepare
    const server = createServer(() => undefined);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new AwsClient({ service: 'dynamodb', region: 'local', endpoint, credentials: staticCredentials(credentials), maxAttempts: 3, sleep: noWait });
    server.closeAllConnections();

    // Act
    const error = await client.json({ path: '/', body: '{}', signal: AbortSignal.timeout(50) }).catch((caught: unknown) => caught);
    server.closeAllConnections();

    // Assess
    expect(error).toMatchObject({ name: 'AbortError' });
  });
});

describe('endpoints and credentials', () => {
  it('builds regional endpoints, China regions included', () => {
    expect(regionalEndpoint('dynamodb', 'eu-west-1')).toBe('https://dynamodb.eu-west-1.amazonaws.com');
    expect(regionalEndpoint('bedrock-runtime', 'cn-north-1')).toBe('https://bedrock-runtime.cn-north-1.amazonaws.com.cn');
  });

  it('reads the credentials Lambda puts in the environment, and nothing when they are missing', () => {
    expect(environmentCredentials({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' })).toEqual({ accessKeyId: 'a', secretAccessKey: 's', sessionToken: 't' });
    expect(environmentCredentials({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's' })).toEqual({ accessKeyId: 'a', secretAccessKey: 's', sessionToken: undefined });
    expect(environmentCredentials({ AWS_ACCESS_KEY_ID: 'a' })).toBeUndefined();
  });
});

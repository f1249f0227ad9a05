/**
 * What the handler tests stand in for around a Lambda function: the Node.js
 * runtime's `awslambda` streaming globals and response stream, the context
 * and API Gateway proxy event it passes, and Secrets Manager answering
 * GetSecretValue with the recorded response shape (AWS JSON 1.1).
 */
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

export type StreamingHandler = (event: APIGatewayProxyEvent, stream: Writable, context: Context) => Promise<void>;
export type BufferedHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** The eight null bytes between a streamed response's prelude and its body. */
export const nullDelimiter = Buffer.alloc(8);

/** What the Lambda Node.js runtime provides to streaming handlers. */
export const lambdaStreamingGlobals = {
  streamifyResponse: <T>(handler: T): T => handler,
  HttpResponseStream: {
    from(stream: Writable, prelude: Record<string, unknown>): Writable {
      stream.write(JSON.stringify(prelude));
      stream.write(nullDelimiter);
      return stream;
    },
  },
};

/** The response stream, with what has arrived so far readable at any moment. */
export class ResponseStream extends Writable {
  readonly chunks: Buffer[] = [];
  finished = false;

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    callback();
  }

  override _final(callback: () => void): void {
    this.finished = true;
    callback();
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** The body so far ('' before the prelude has ended). */
  get text(): string {
    const at = this.bytes.indexOf(nullDelimiter);
    return at < 0 ? '' : this.bytes.subarray(at + nullDelimiter.length).toString('utf8');
  }

  get prelude(): { statusCode: number; headers: Record<string, string> } {
    const bytes = this.bytes;
    return JSON.parse(bytes.subarray(0, bytes.indexOf(nullDelimiter)).toString('utf8')) as never;
  }
}

export interface ContextOptions {
  awsRequestId: string;
  memoryLimitInMB?: string;
  remainingMs?: number;
}

export const lambdaContext = (functionName: string, options: ContextOptions): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
  memoryLimitInMB: options.memoryLimitInMB ?? '512',
  awsRequestId: options.awsRequestId,
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: '2026/01/01/[$LATEST]0123456789abcdef',
  getRemainingTimeInMillis: () => options.remainingMs ?? 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

export interface ProxyRequest {
  method: string;
  path: string;
  /** The route's resource template, when it is not the path itself. */
  resource?: string;
  headers: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
}

export const proxyEvent = ({ method, path, resource, headers, body }: ProxyRequest): APIGatewayProxyEvent => ({
  resource: resource ?? path,
  path,
  httpMethod: method,
  headers,
  multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  pathParameters: null,
  stageVariables: null,
  requestContext: { domainName: 'abc123.execute-api.us-east-1.amazonaws.com', stage: 'prod' } as APIGatewayProxyEvent['requestContext'],
  body: body === undefined ? null : JSON.stringify(body),
  isBase64Encoded: false,
});

/** A Secrets Manager endpoint that knows one secret, answering as the recorded GetSecretValue response does. */
export const startSecretsManager = async (secretArn: string, secretString: string): Promise<Server> => {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const { SecretId } = JSON.parse(body) as { SecretId?: string };
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (request.headers['x-amz-target'] === 'secretsmanager.GetSecretValue' && SecretId === secretArn) {
        response.end(
          JSON.stringify({
            ARN: secretArn,
            Name: 'TollwayMasterKeySecret',
            VersionId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
            SecretString: secretString,
            VersionStages: ['AWSCURRENT'],
            CreatedDate: 1_700_000_000.123,
          }),
        );
      } else {
        response.statusCode = 400;
        response.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};

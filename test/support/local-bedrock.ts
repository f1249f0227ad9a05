import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { createBedrockAgentRuntimeClient } from '../../functions/runtime/aws/agent-runtime-clients.js';
import { createBedrockRuntimeClient } from '../../functions/runtime/aws/bedrock-clients.js';

/** One event of a Bedrock event stream: `{ contentBlockDelta: {...} }`, as the recordings hold them. */
export type StreamEvent = Record<string, unknown>;

/** A request as the local Bedrock received it. */
export interface ReceivedRequest {
  method: string;
  /** Still URL-encoded, as it travelled: `/model/us.anthropic...%3A0/converse`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The JSON body, parsed. */
  body: Record<string, unknown>;
  /** Whether the client hung up before the answer was complete (an abort). */
  closedEarly: boolean;
}

/** How the local Bedrock answers one request. */
export type Answer =
  /** 200 with a JSON body (`undefined`: an empty body). */
  | { json: unknown }
  /** Any status, content type and body text. */
  | { status: number; contentType: string; text: string }
  /** An error as Bedrock's REST JSON APIs send one: the status, `x-amzn-errortype` and `{"message"}`. */
  | { status: number; errorType: string; message: string }
  /**
   * 200 with the events as event-stream frames; then the stream ends (`end`),
   * throws an exception frame (`{ exception }`: `throttlingException`), stops
   * half-way through a frame and drops the connection (`cut`), or stays open (`hold`).
   */
  | { events: StreamEvent[]; then?: 'end' | 'cut' | 'hold' | { exception: string; message: string } }
  /** Never answers. */
  | 'hang'
  /** Drops the connection without answering. */
  | 'reset';

export type Answerer = (request: ReceivedRequest) => Answer | Promise<Answer>;

export interface LocalBedrock {
  endpoint: string;
  received: ReceivedRequest[];
}

export const testCredentials = { accessKeyId: 'AKIDLOCALBEDROCK', secretAccessKey: 'local-bedrock-secret' };

const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

const stringHeader = (value: string) => ({ type: 'string' as const, value });

/** One event frame as Bedrock sends it: the event's type in the headers, its payload as JSON. */
export const eventFrame = (event: StreamEvent): Uint8Array => {
  const [eventType, payload] = Object.entries(event)[0];
  return codec.encode({
    headers: { ':message-type': stringHeader('event'), ':event-type': stringHeader(eventType), ':content-type': stringHeader('application/json') },
    body: new TextEncoder().encode(JSON.stringify(payload)),
  });
};

/** An exception frame (`throttlingException`, `modelStreamErrorException`) as Bedrock ends a failing stream. */
export const exceptionFrame = (type: string, message: string): Uint8Array =>
  codec.encode({
    headers: { ':message-type': stringHeader('exception'), ':exception-type': stringHeader(type), ':content-type': stringHeader('application/json') },
    body: new TextEncoder().encode(JSON.stringify({ message })),
  });

const pause = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

const writeStream = async (response: ServerResponse, answer: Extract<Answer, { events: StreamEvent[] }>): Promise<void> => {
  response.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'local-request' });
  for (const event of answer.events) response.write(eventFrame(event));
  const then = answer.then ?? 'end';
  if (then === 'end') {
    response.end();
  } else if (then === 'hold') {
    response.flushHeaders();
  } else if (then === 'cut') {
    const frame = eventFrame({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'never arrives' } } });
    response.write(frame.subarray(0, frame.length >> 1));
    // Time for the client to read what came before, then the connection is gone.
    await pause(50);
    response.socket?.destroy();
  } else {
    response.end(exceptionFrame(then.exception, then.message));
  }
};

const respond = async (response: ServerResponse, answer: Answer): Promise<void> => {
  if (answer === 'hang') return;
  if (answer === 'reset') {
    response.socket?.destroy();
    return;
  }
  if ('events' in answer) return writeStream(response, answer);
  if ('errorType' in answer) {
    response.writeHead(answer.status, {
      'content-type': 'application/json',
      'x-amzn-errortype': `${answer.errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      'x-amzn-requestid': 'local-request',
    });
    response.end(JSON.stringify({ message: answer.message }));
    return;
  }
  if ('text' in answer) {
    response.writeHead(answer.status, { 'content-type': answer.contentType });
    response.end(answer.text);
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'local-request' });
  response.end(answer.json === undefined ? '' : JSON.stringify(answer.json));
};

const running: Server[] = [];

/**
 * A real HTTP server standing in for Bedrock (Runtime and Agent Runtime speak
 * the same REST JSON): records every request and answers it with `answer`,
 * from recorded bodies and events. Stop them all with `stopLocalBedrocks`.
 */
export const startLocalBedrock = async (answer: Answerer): Promise<LocalBedrock> => {
  const received: ReceivedRequest[] = [];
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const request: ReceivedRequest = {
        method: incoming.method ?? '',
        path: incoming.url ?? '',
        headers: incoming.headers,
        body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
        closedEarly: false,
      };
      response.on('close', () => {
        if (!response.writableFinished) request.closedEarly = true;
      });
      received.push(request);
      void (async () => {
        const chosen = await Promise.resolve()
          .then(() => answer(request))
          // A test's answerer that throws shows up as a failing call, not as an unhandled rejection.
          .catch((error: unknown): Answer => ({ status: 500, errorType: 'LocalBedrockAnswerError', message: String(error) }));
        // An answer to a client that already left has nowhere to go.
        if (!request.closedEarly) await respond(response, chosen);
      })();
    });
  });
  running.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
};

/** Closes every local Bedrock and the connections still open to it (for `afterEach`). */
export const stopLocalBedrocks = async (): Promise<void> => {
  await Promise.all(
    running.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
};

/** The AWS SDK's Bedrock Runtime client, as the gateway makes it, pointed at a local Bedrock with test credentials. */
export const bedrockClientAt = (endpoint: string): BedrockRuntimeClient =>
  createBedrockRuntimeClient({ region: 'us-east-1', endpoint, credentials: testCredentials });

/** The AWS SDK's Bedrock Agent Runtime client, as the gateway makes it, pointed at a local Bedrock with test credentials. */
export const agentRuntimeClientAt = (endpoint: string, maxAttempts = 1): BedrockAgentRuntimeClient =>
  createBedrockAgentRuntimeClient({ region: 'us-east-1', endpoint, credentials: testCredentials, maxAttempts });

/** The model id a Converse or InvokeModel request was sent for, decoded from its path. */
export const modelIdOf = (request: ReceivedRequest): string => decodeURIComponent(request.path.split('/')[2] ?? '');

/** Anthropic events as InvokeModelWithResponseStream sends them: one `chunk` frame each, the event's JSON in `bytes`. */
export const chunkEvents = (events: readonly Record<string, unknown>[]): StreamEvent[] =>
  events.map((event) => ({ chunk: { bytes: Buffer.from(JSON.stringify(event)).toString('base64') } }));

/** The InvokeModel body a CountTokens request carries (base64 in `input.invokeModel.body`), parsed. */
export const countedBodyOf = (request: ReceivedRequest): Record<string, unknown> => {
  const encoded = (request.body.input as { invokeModel?: { body?: string } } | undefined)?.invokeModel?.body ?? '';
  return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Record<string, unknown>;
};

import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';

export interface CapturedRetrieve {
  method: string;
  path: string;
  body: Record<string, unknown>;
}

export interface RecordedAnswer {
  status: number;
  /** A fixture file name under fixtures/bedrock-retrieve, or a body to send as JSON. */
  body: string | Record<string, unknown>;
  headers?: Record<string, string>;
}

/** A recorded Retrieve response body. */
export const retrieveFixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/bedrock-retrieve/${name}.json`, import.meta.url), 'utf8');

/** An error as the Bedrock Agent Runtime REST API sends it: status, `x-amzn-errortype`, `{message}`. */
export const bedrockError = (status: number, type: string, message: string): RecordedAnswer => ({
  status,
  body: { message },
  headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
});

/**
 * A real Bedrock Agent Runtime client whose HTTP handler answers with
 * recorded bodies in turn, so the SDK's own serialisation and parsing run
 * without reaching AWS; every request is captured.
 */
export const clientAnswering = (...answers: RecordedAnswer[]) => {
  const captured: CapturedRetrieve[] = [];
  const client = new BedrockAgentRuntimeClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { method: string; path: string; body: Uint8Array | string }) => {
        const text = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
        captured.push({ method: request.method, path: request.path, body: JSON.parse(text) as Record<string, unknown> });
        const answer = answers[Math.min(captured.length - 1, answers.length - 1)];
        const body = typeof answer.body === 'string' ? retrieveFixture(answer.body) : JSON.stringify(answer.body);
        return {
          response: {
            statusCode: answer.status,
            headers: { 'content-type': 'application/json', ...answer.headers },
            body: Readable.from([Buffer.from(body)]),
          },
        };
      },
    },
  });
  return { client, captured };
};

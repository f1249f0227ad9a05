import { readFileSync } from 'node:fs';
import { agentRuntimeClientAt, type Answer, startLocalBedrock } from '../../support/local-bedrock.js';

export interface CapturedRetrieve {
  method: string;
  path: string;
  body: Record<string, unknown>;
}

export interface RecordedAnswer {
  status: number;
  /** A fixture file name under fixtures/bedrock-retrieve, or a body to send as JSON. */
  body: string | Record<string, unknown>;
  /** The error type Bedrock names in `x-amzn-errortype`, for an error answer. */
  errorType?: string;
}

/** A recorded Retrieve response body. */
export const retrieveFixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/bedrock-retrieve/${name}.json`, import.meta.url), 'utf8');

/** An error as the Bedrock Agent Runtime REST API sends it: status, `x-amzn-errortype`, `{message}`. */
export const bedrockError = (status: number, type: string, message: string): RecordedAnswer => ({ status, body: { message }, errorType: type });

const answerOf = (answer: RecordedAnswer): Answer => {
  if (answer.errorType) return { status: answer.status, errorType: answer.errorType, message: String((answer.body as { message?: unknown }).message ?? '') };
  const text = typeof answer.body === 'string' ? retrieveFixture(answer.body) : JSON.stringify(answer.body);
  return { status: answer.status, contentType: 'application/json', text };
};

/**
 * A Bedrock Agent Runtime client pointed at a local Bedrock that answers with
 * the recorded bodies in turn (the last one repeats); every request is captured.
 */
export const clientAnswering = async (...answers: RecordedAnswer[]) => {
  const { endpoint, received } = await startLocalBedrock((request) => answerOf(answers[Math.min(received.indexOf(request), answers.length - 1)]));
  // One attempt: the SDK's retries are its own business.
  const client = agentRuntimeClientAt(endpoint);
  const captured: CapturedRetrieve[] = received;
  return { client, captured };
};

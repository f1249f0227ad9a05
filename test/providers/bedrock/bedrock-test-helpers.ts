import { readFileSync } from 'node:fs';
import { BedrockRuntimeClient, type ConverseCommand, type ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import type { ModelRequest, StreamPart } from '../../../functions/core/language-model.js';

type BedrockCommand = ConverseCommand | ConverseStreamCommand;

const fixtureUrl = (name: string): URL => new URL(`../../fixtures/bedrock-converse/${name}`, import.meta.url);

/** A recorded Converse response body. */
export const loadResponseFixture = (name: string): unknown => JSON.parse(readFileSync(fixtureUrl(`${name}.json`), 'utf8'));

/** The recorded ConverseStream events, one per line. */
export const loadStreamFixture = (name: string): unknown[] =>
  readFileSync(fixtureUrl(`${name}.chunks.txt`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line): unknown => JSON.parse(line));

/** Events as the SDK's ConverseStream output hands them out. */
export async function* asyncIterableOf<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

/** Yields the events, then throws, as the SDK's event stream does on a broken connection. */
export async function* failingAfter<T>(items: T[], error: unknown): AsyncGenerator<T> {
  yield* items;
  throw error;
}

export interface SentCommand {
  name: string;
  input: BedrockCommand['input'];
  abortSignal: AbortSignal | undefined;
}

/** A real client whose `send` answers with `respond` instead of calling AWS, recording what was sent. */
export const stubClient = (respond: (command: BedrockCommand) => unknown) => {
  const client = new BedrockRuntimeClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const sent: SentCommand[] = [];
  const send = async (command: BedrockCommand, options?: { abortSignal?: AbortSignal }): Promise<unknown> => {
    sent.push({ name: command.constructor.name, input: command.input, abortSignal: options?.abortSignal });
    return respond(command);
  };
  client.send = send as BedrockRuntimeClient['send'];
  return { client, sent };
};

/** Collects every part of a stream. */
export const collect = async (stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> => {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
};

export const userText = (text: string): ModelRequest['messages'][number] => ({ role: 'user', content: [{ type: 'text', text }] });

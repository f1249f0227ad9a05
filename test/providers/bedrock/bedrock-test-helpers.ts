import { readFileSync } from 'node:fs';
import type { StreamEvent } from '../../support/local-bedrock.js';
import type { ModelRequest, StreamPart } from '../../../functions/core/language-model.js';
import { BedrockLanguageModel } from '../../../functions/providers/bedrock/bedrock-language-model.js';
import type { BedrockModelSettings } from '../../../functions/providers/bedrock/prepare-bedrock-request.js';
import { bedrockClientAt, startLocalBedrock, type Answerer } from '../../support/local-bedrock.js';

export const claude = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

const fixtureUrl = (name: string): URL => new URL(`../../fixtures/bedrock-converse/${name}`, import.meta.url);

/** A recorded Converse response body. */
export const loadResponseFixture = (name: string): unknown => JSON.parse(readFileSync(fixtureUrl(`${name}.json`), 'utf8'));

/** The recorded ConverseStream events, one per line. */
export const loadStreamFixture = (name: string): StreamEvent[] =>
  readFileSync(fixtureUrl(`${name}.chunks.txt`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as StreamEvent);

/** A model whose Bedrock is a local server answering every call with `answer`; `received` holds the requests. */
export const modelAnswering = async (answer: Answerer, modelId = claude, settings?: BedrockModelSettings) => {
  const bedrock = await startLocalBedrock(answer);
  return { model: new BedrockLanguageModel({ modelId, client: bedrockClientAt(bedrock.endpoint), settings }), received: bedrock.received };
};

/** Collects every part of a stream. */
export const collect = async (stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> => {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
};

export const userText = (text: string): ModelRequest['messages'][number] => ({ role: 'user', content: [{ type: 'text', text }] });

const invokeFixtureUrl = (name: string): URL => new URL(`../../fixtures/bedrock-invoke/${name}`, import.meta.url);

/** An InvokeModel body for Claude (Anthropic's message shape, derived from the recorded Anthropic fixtures). */
export const loadInvokeFixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(invokeFixtureUrl(`${name}.json`), 'utf8')) as Record<string, unknown>;

/** The Anthropic events an InvokeModelWithResponseStream answer carries in its chunks, one per line. */
export const loadInvokeEvents = (name: string): Record<string, unknown>[] =>
  readFileSync(invokeFixtureUrl(`${name}.events.jsonl`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

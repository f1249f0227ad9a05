import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { ModelMessage, ModelRequest } from '../../../functions/core/language-model.js';

export { collect, rejectionOf, sendJson, startTestUpstream, type TestUpstream } from '../openai-compatible/test-upstream.js';

const fixturesDirectory = new URL('../../fixtures/anthropic-messages/', import.meta.url);

/** A recorded Messages response body, as text. */
export const readResponseFixture = (name: string): string => readFileSync(new URL(`${name}.json`, fixturesDirectory), 'utf8');

/** The recorded stream events' `data` lines. */
export const readChunksFixture = (name: string): string[] =>
  readFileSync(new URL(`${name}.chunks.txt`, fixturesDirectory), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');

/** Sends each data line as Anthropic does: `event: <type>` then `data: <json>`. */
export const sendAnthropicEvents = (response: ServerResponse, lines: string[]): void => {
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  for (const line of lines) {
    const { type } = JSON.parse(line) as { type: string };
    response.write(`event: ${type}\ndata: ${line}\n\n`);
  }
  response.end();
};

/** Anthropic's error envelope. */
export const anthropicError = (type: string, message: string) => ({ type: 'error', error: { type, message } });

export const userText = (text: string): ModelMessage => ({ role: 'user', content: [{ type: 'text', text }] });

export const simpleRequest: ModelRequest = { messages: [userText('Hi')] };

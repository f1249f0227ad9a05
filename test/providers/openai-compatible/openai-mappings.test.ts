import { describe, expect, it } from 'vitest';
import { convertOpenAIUsage } from '../../../functions/providers/openai-compatible/convert-openai-usage.js';
import { mapOpenAIFinishReason } from '../../../functions/providers/openai-compatible/map-openai-finish-reason.js';
import { mapOpenAIStatusError, parseRetryAfterSeconds } from '../../../functions/providers/openai-compatible/map-openai-error.js';

describe('mapOpenAIFinishReason', () => {
  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['tool_calls', 'tool_calls'],
    ['function_call', 'tool_calls'],
    ['content_filter', 'content_filter'],
    ['eos', 'stop'],
    [null, 'stop'],
    [undefined, 'stop'],
  ] as const)('maps %s to %s', (finishReason, expected) => {
    expect(mapOpenAIFinishReason(finishReason)).toBe(expected);
  });
});

describe('convertOpenAIUsage', () => {
  it('takes cached tokens out of the input tokens and reports reasoning tokens', () => {
    const usage = convertOpenAIUsage({
      prompt_tokens: 2006,
      completion_tokens: 300,
      prompt_tokens_details: { cached_tokens: 1920 },
      completion_tokens_details: { reasoning_tokens: 192 },
    });

    expect(usage).toStrictEqual({ inputTokens: 86, outputTokens: 300, cacheReadTokens: 1920, cacheWriteTokens: 0, reasoningTokens: 192 });
  });

  it('reads missing usage as zeros', () => {
    expect(convertOpenAIUsage(undefined)).toStrictEqual({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });
    expect(convertOpenAIUsage({ prompt_tokens: 7 })).toStrictEqual({ inputTokens: 7, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });
  });
});

describe('parseRetryAfterSeconds', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it.each([
    ['a delay in seconds', { 'retry-after': '12' }, 12],
    ['a fractional delay, rounded up', { 'retry-after': '0.2' }, 1],
    ['retry-after-ms, which wins', { 'retry-after-ms': '250', 'retry-after': '9' }, 1],
    ['an HTTP date', { 'retry-after': 'Thu, 01 Jan 2026 00:01:00 GMT' }, 60],
    ['an HTTP date in the past', { 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }, 0],
    ['garbage', { 'retry-after': 'soon' }, undefined],
    ['nothing', {}, undefined],
  ])('reads %s', (_name, headers, expected) => {
    expect(parseRetryAfterSeconds(new Headers(headers), now)).toBe(expected);
  });
});

describe('mapOpenAIStatusError', () => {
  it.each([
    [403, 502, 'upstream_auth_failed'],
    [404, 502, 'upstream_model_not_found'],
    [408, 504, 'upstream_timeout'],
    [422, 400, null],
    [502, 502, 'upstream_error'],
    [504, 502, 'upstream_error'],
  ])('maps HTTP %i to %i (%s)', (status, expectedStatus, expectedCode) => {
    const error = mapOpenAIStatusError(status, { message: 'upstream said no' });

    expect(error).toMatchObject({ status: expectedStatus, code: expectedCode });
  });

  it('does not retry a 4xx it has no better name for', () => {
    expect(mapOpenAIStatusError(409, undefined)).toMatchObject({ status: 502, retryable: false, message: 'upstream returned HTTP 409' });
  });
});

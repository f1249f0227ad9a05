import type { Price } from '../config/schema.js';
import type { ModelRequest } from '../language-model.js';
import { costOf } from '../pricing.js';
import { promptCharacters } from '../usage/estimate-usage.js';

/**
 * Deliberately generous: two characters a token (real text runs near four),
 * a few tokens of chat template per message, and a large image's worth per
 * image. Over-reserving only holds budget until the request settles;
 * under-reserving could let concurrent requests overspend.
 */
const charactersPerToken = 2;
const tokensPerMessage = 4;
const tokensPerImage = 1600;

/** An upper estimate of the input tokens of a request. */
export const estimateInputTokensGenerously = (request: ModelRequest): number => {
  const images = request.messages.reduce(
    (count, message) => count + (message.role === 'user' ? message.content.filter((part) => part.type === 'image').length : 0),
    0,
  );
  const toolCharacters = request.tools ? JSON.stringify(request.tools).length : 0;
  return Math.ceil((promptCharacters(request) + toolCharacters) / charactersPerToken) + request.messages.length * tokensPerMessage + images * tokensPerImage;
};

/** The most a request can cost: generous input at the dearer of the input and cache-write rates, plus every output token allowed. */
export const worstCaseCost = (request: ModelRequest, inputTokens: number, price: Price | undefined): number => {
  if (!price) return 0;
  const inputRate = Math.max(price.input_per_mtok, price.cache_write_per_mtok ?? 0);
  return costOf(
    { inputTokens, outputTokens: request.maxOutputTokens ?? 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    { input_per_mtok: inputRate, output_per_mtok: price.output_per_mtok },
  );
};

/** The reservation for a request that may be served by any of `prices`: the dearest worst case. */
export const reservationFor = (request: ModelRequest, prices: Array<Price | undefined>): { reserveUsd: number; inputTokens: number } => {
  const inputTokens = estimateInputTokensGenerously(request);
  return { reserveUsd: Math.max(0, ...prices.map((price) => worstCaseCost(request, inputTokens, price))), inputTokens };
};

import type { Price } from '../config/schema.js';
import type { FilePart, ModelRequest } from '../language-model.js';
import { costOf } from '../pricing.js';
import { promptCharacters } from '../usage/estimate-usage.js';

/**
 * Deliberately generous: two characters a token (real text runs near four),
 * a few tokens of chat template per message, a large image's worth per
 * image, and a document's bytes as text plus an image per PDF page. Over-reserving only holds budget until the request settles;
 * under-reserving could let concurrent requests overspend.
 */
const charactersPerToken = 2;
const tokensPerMessage = 4;
const tokensPerImage = 1600;

// A PDF page object (`/Type /Page`, not the `/Pages` tree): models read each page as text and as an image.
const pdfPagePattern = /\/Type\s*\/Page(?![a-z])/g;

/**
 * A document's worth: its bytes read as text at the same generous rate, plus
 * an image per PDF page where the page objects can be counted (pages packed
 * in compressed object streams are not seen, their text is in the bytes).
 */
const fileTokens = (part: FilePart): number => {
  const bytes = Math.ceil(part.data.byteLength / charactersPerToken);
  if (part.mediaType !== 'application/pdf') return bytes;
  const pages = Buffer.from(part.data.buffer, part.data.byteOffset, part.data.byteLength).toString('latin1').match(pdfPagePattern)?.length ?? 0;
  return bytes + pages * tokensPerImage;
};

/** An upper estimate of the input tokens of a request. */
export const estimateInputTokensGenerously = (request: ModelRequest): number => {
  let attachmentTokens = 0;
  for (const message of request.messages) {
    if (message.role !== 'user') continue;
    for (const part of message.content) {
      if (part.type === 'image') attachmentTokens += tokensPerImage;
      else if (part.type === 'file') attachmentTokens += fileTokens(part);
    }
  }
  const toolCharacters = request.tools ? JSON.stringify(request.tools).length : 0;
  return Math.ceil((promptCharacters(request) + toolCharacters) / charactersPerToken) + request.messages.length * tokensPerMessage + attachmentTokens;
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

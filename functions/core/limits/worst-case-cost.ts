import type { Price } from '../config/schema.js';
import type { FilePart, ModelMessage, ModelRequest } from '../language-model.js';
import { costOf } from '../pricing.js';

/*
 * An upper bound of the input tokens of everything a request sends upstream,
 * so that concurrent requests cannot overspend a budget. Text is counted in
 * UTF-8 bytes: every tokenizer the providers use (byte-level BPE, or
 * SentencePiece with byte fallback) emits at most one token per byte. The
 * rest is counted as generously: chat-template tokens per message, the
 * largest image any provider bills, the instruction a provider adds for a
 * response format. Over-reserving only holds budget until the request
 * settles.
 */

const tokensPerMessage = 8;
/** Claude's largest image (1568 × 1568 px / 750 ≈ 3,278 tokens) is the dearest; OpenAI's patch models stop near 2,500, Nova lower. */
export const tokensPerImage = 3_300;
/** The JSON instruction a provider without native structured output adds to the system prompt, besides the schema itself. */
const tokensPerResponseFormat = 256;

const textEncoder = new TextEncoder();
export const bytesOf = (text: string): number => textEncoder.encode(text).byteLength;

// A PDF page object (`/Type /Page`, not the `/Pages` tree): models read each page as text and as an image.
const pdfPagePattern = /\/Type\s*\/Page(?![a-z])/g;

/**
 * A document's worth: its bytes as text, plus an image per PDF page where the
 * page objects can be counted (pages packed in compressed object streams are
 * not seen, their text is in the bytes).
 */
export const fileTokens = (part: FilePart): number => {
  if (part.mediaType !== 'application/pdf') return part.data.byteLength;
  const pages = Buffer.from(part.data.buffer, part.data.byteOffset, part.data.byteLength).toString('latin1').match(pdfPagePattern)?.length ?? 0;
  return part.data.byteLength + pages * tokensPerImage;
};

const messageTokens = (message: ModelMessage): number => {
  if (message.role === 'system' || message.role === 'tool') return bytesOf(message.content);
  let tokens = 0;
  for (const part of message.content) {
    switch (part.type) {
      case 'text':
        tokens += bytesOf(part.text);
        break;
      case 'image':
        tokens += tokensPerImage;
        break;
      case 'file':
        tokens += fileTokens(part);
        break;
      case 'reasoning':
        tokens += bytesOf(part.text) + bytesOf(part.signature ?? '') + bytesOf(part.redactedData ?? '');
        break;
      case 'tool-call':
        tokens += bytesOf(part.id) + bytesOf(part.name) + bytesOf(part.arguments);
        break;
    }
  }
  return tokens;
};

/** An upper bound of the input tokens of a request: messages, tools, the response format's schema, attachments. */
export const estimateInputTokensGenerously = (request: ModelRequest): number => {
  const messages = request.messages.reduce((sum, message) => sum + tokensPerMessage + messageTokens(message), 0);
  const tools = request.tools ? bytesOf(JSON.stringify(request.tools)) : 0;
  const format = request.responseFormat;
  const responseFormat = format && format.type !== 'text' ? tokensPerResponseFormat + (format.type === 'json_schema' ? bytesOf(JSON.stringify(format)) : 0) : 0;
  return messages + tools + responseFormat;
};

/** The most a request can cost: the input bound at the dearer of the input and cache-write rates, plus every output token allowed. */
export const worstCaseCost = (request: ModelRequest, inputTokens: number, price: Price | undefined): number => {
  if (!price) return 0;
  const inputRate = Math.max(price.input_per_mtok, price.cache_write_per_mtok ?? 0);
  return costOf(
    { inputTokens, outputTokens: request.maxOutputTokens ?? 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    { input_per_mtok: inputRate, output_per_mtok: price.output_per_mtok },
  );
};

/**
 * The reservation for a request that may be served by any of `prices`: the
 * dearest worst case. `atLeastInputTokens` raises the input bound (a body
 * forwarded as it is, counted by its own bound).
 */
export const reservationFor = (request: ModelRequest, prices: Array<Price | undefined>, atLeastInputTokens = 0): { reserveUsd: number; inputTokens: number } => {
  const inputTokens = Math.max(estimateInputTokensGenerously(request), atLeastInputTokens);
  return { reserveUsd: Math.max(0, ...prices.map((price) => worstCaseCost(request, inputTokens, price))), inputTokens };
};

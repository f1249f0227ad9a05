/**
 * Lambda entry point for the MCP routes (the federated endpoint, per-server
 * endpoints, tools REST). Streamed: event streams (progress, streamed
 * results, subscriptions/listen, GET streams) reach the client as the
 * upstream writes them, with a keep-alive comment each minute of quiet.
 */
import { createMcpRuntime } from '../runtime/mcp-runtime.js';
import { streamingHandler } from './streaming-handler.js';

/** Well inside API Gateway's 5-minute idle limit for streamed responses; `TOLLWAY_SSE_KEEP_ALIVE_MS` (a positive integer) overrides it. */
const defaultKeepAliveMs = 60_000;
const configuredKeepAliveMs = Number(process.env.TOLLWAY_SSE_KEEP_ALIVE_MS);
const keepAliveMs = Number.isInteger(configuredKeepAliveMs) && configuredKeepAliveMs > 0 ? configuredKeepAliveMs : defaultKeepAliveMs;

export const handler = streamingHandler('mcp', createMcpRuntime, { keepAliveMs });

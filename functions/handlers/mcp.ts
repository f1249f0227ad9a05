/**
 * Lambda entry point for the MCP routes (the federated endpoint, per-server
 * endpoints, tools REST). Streamed: event streams (progress, streamed
 * results, subscriptions/listen, GET streams) reach the client as the
 * upstream writes them, with a keep-alive comment each minute of quiet.
 */
import { createMcpRuntime } from '../runtime/mcp-runtime.js';
import { streamingHandler } from './streaming-handler.js';

/** Well inside API Gateway's 5-minute idle limit for streamed responses. */
const keepAliveMs = 60_000;

export const handler = streamingHandler('mcp', createMcpRuntime, { keepAliveMs });

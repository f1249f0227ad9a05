/** Lambda entry point for the MCP routes (the federated endpoint, per-server endpoints, tools REST). Buffered. */
import { createMcpRuntime } from '../runtime/mcp-runtime.js';
import { bufferedHandler } from './buffered-handler.js';

export const handler = bufferedHandler('mcp', createMcpRuntime);

/** Lambda entry point for the MCP routes (the federated endpoint, per-server endpoints, tools REST). Buffered. */
import { bufferedHandler } from './buffered-handler.js';

export const handler = bufferedHandler('mcp');

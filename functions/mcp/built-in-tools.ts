import type { BuiltInMcpTool } from '../core/mcp/mcp-service.js';

/** A tool the gateway serves itself (defined beside the MCP port, in the core). */
export type BuiltInTool = BuiltInMcpTool;

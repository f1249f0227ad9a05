/**
 * Memory of the on-demand Lambda functions, in MB, in one place (the stack
 * and the bench's cost model read it).
 */
/** Completions, responses and models (chat). */
export const chatFunctionMemoryMb = 1024;
/** MCP, knowledge-base search and admin. */
export const smallFunctionMemoryMb = 512;

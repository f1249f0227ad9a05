import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/core/config/load.js';
import type { FunctionName } from '../../functions/core/routes.js';
import { bundleHandler } from '../support/bundle.js';

/** The files esbuild reads to bundle a handler as the stack bundles it. */
const bundleInputs = async (handler: FunctionName): Promise<string[]> =>
  (await bundleHandler(handler, parseConfig('models:\n  - name: echo\n    provider: echo\n'))).inputs;

describe('the chat function bundle', () => {
  it('carries no MCP SDK and no JSON Schema validator: chat calls MCP tools with its own Streamable HTTP client', async () => {
    const inputs = await bundleInputs('chat');

    expect(inputs).toContain('functions/mcp/streamable-http-client.ts');
    expect(inputs.filter((path) => path.includes('@modelcontextprotocol/sdk') || path.includes('/ajv/'))).toEqual([]);
  });

  it('is what the check looks at: the mcp function bundle does carry the SDK', async () => {
    const inputs = await bundleInputs('mcp');

    expect(inputs.some((path) => path.includes('@modelcontextprotocol/sdk'))).toBe(true);
  });
});

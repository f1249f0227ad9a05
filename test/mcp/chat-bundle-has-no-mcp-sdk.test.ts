import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptionsOf } from '../../bench/scenarios/cold-start.js';
import { parseConfig } from '../../functions/core/config/load.js';
import { gatewayBundling } from '../../lib/gateway-function.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The files esbuild reads to bundle a handler as the stack bundles it (nothing written to disk). */
const bundleInputs = async (handler: string): Promise<string[]> => {
  const config = parseConfig('models:\n  - name: echo\n    provider: echo\n');
  const result = await build({
    ...esbuildOptionsOf(gatewayBundling(config)),
    entryPoints: [`functions/handlers/${handler}.ts`],
    outfile: `bundles/${handler}/index.mjs`,
    absWorkingDir: projectRoot,
    write: false,
    metafile: true,
  });
  return Object.keys(result.metafile.inputs);
};

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

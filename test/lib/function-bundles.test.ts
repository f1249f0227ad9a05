import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptionsOf } from '../../bench/scenarios/cold-start.js';
import { parseConfig } from '../../functions/core/config/load.js';
import type { FunctionName } from '../../functions/core/routes.js';
import { gatewayBundling } from '../../lib/gateway-function.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const shippedConfig = parseConfig(readFileSync(new URL('../../tollway.config.yaml', import.meta.url), 'utf8'));

/** A handler bundled as the stack bundles it (nothing written to disk): its code and the files it was built from. */
const bundle = async (handler: FunctionName) => {
  const result = await build({
    ...esbuildOptionsOf(gatewayBundling(shippedConfig)),
    entryPoints: [`functions/handlers/${handler}.ts`],
    outfile: `bundles/${handler}/index.mjs`,
    absWorkingDir: projectRoot,
    write: false,
    metafile: true,
  });
  const code = result.outputFiles.find((file) => file.path.endsWith('.mjs'));
  return { bytes: code?.contents.byteLength ?? 0, inputs: Object.keys(result.metafile.inputs) };
};

describe('the Lambda bundles', () => {
  it('keep the chat function within its 500 KB budget (minified, the shipped config compiled in)', async () => {
    const chat = await bundle('chat');

    expect(chat.bytes).toBeGreaterThan(100_000);
    expect(chat.bytes).toBeLessThanOrEqual(500 * 1024);
  });

  it.each(['chat', 'mcp', 'retrieve', 'admin'] as const)('carry no AWS SDK client in the %s function: AWS is called through functions/aws', async (handler) => {
    const { inputs } = await bundle(handler);

    expect(inputs.filter((path) => /@aws-sdk\/(client-|lib-dynamodb|credential-provider)|@smithy\/(smithy-client|node-http-handler|signature-v4)/.test(path))).toEqual([]);
    expect(inputs).toContain('functions/aws/aws-client.ts');
  });
});

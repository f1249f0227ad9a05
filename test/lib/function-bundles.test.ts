import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/core/config/load.js';
import type { FunctionName } from '../../functions/core/routes.js';
import { bundleHandler } from '../support/bundle.js';

const shippedConfig = parseConfig(readFileSync(new URL('../../tollway.config.yaml', import.meta.url), 'utf8'));
const bundle = (handler: FunctionName) => bundleHandler(handler, shippedConfig);

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

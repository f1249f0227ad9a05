import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/core/config/load.js';
import type { FunctionName } from '../../functions/core/routes.js';
import { bundleHandler } from '../support/bundle.js';

const projectRoot = new URL('../../', import.meta.url).pathname;
const shippedConfig = parseConfig(readFileSync(join(projectRoot, 'tollway.config.yaml'), 'utf8'));
const bundle = (handler: FunctionName) => bundleHandler(handler, shippedConfig);

/** The AWS packages a bundle was built from (`@aws-sdk/client-dynamodb`...). */
const awsPackagesOf = (inputs: string[]) =>
  [...new Set(inputs.filter((path) => path.includes('node_modules/@aws-sdk/')).map((path) => path.split('node_modules/').at(-1)!.split('/').slice(0, 2).join('/')))]
    .filter((name) => /^@aws-sdk\/(client-|lib-)/.test(name))
    .sort();

const sourceFiles = (folder: string): string[] =>
  readdirSync(folder, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? sourceFiles(join(folder, entry.name)) : entry.name.endsWith('.ts') ? [join(folder, entry.name)] : []));

describe('the Lambda bundles', () => {
  it('keep the chat function, with the AWS SDK, under 1 MB (minified, the shipped config compiled in)', async () => {
    const chat = await bundle('chat');

    expect(chat.bytes).toBeGreaterThan(100_000);
    expect(chat.bytes).toBeLessThanOrEqual(1024 * 1024);
  });

  it.each([
    { handler: 'chat' as const, clients: ['client-bedrock-agent-runtime', 'client-bedrock-runtime', 'client-dynamodb', 'client-secrets-manager', 'lib-dynamodb'] },
    { handler: 'mcp' as const, clients: ['client-bedrock-agent-runtime', 'client-dynamodb', 'client-secrets-manager', 'lib-dynamodb'] },
    { handler: 'retrieve' as const, clients: ['client-bedrock-agent-runtime', 'client-dynamodb', 'client-secrets-manager', 'lib-dynamodb'] },
    { handler: 'admin' as const, clients: ['client-dynamodb', 'client-secrets-manager', 'lib-dynamodb'] },
  ])('carry the official AWS SDK clients the $handler function calls, and no others', async ({ handler, clients }) => {
    const { inputs } = await bundle(handler);

    expect(awsPackagesOf(inputs)).toEqual(clients.map((client) => `@aws-sdk/${client}`));
  });
});

describe('the runtime dependencies', () => {
  const manifest = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

  it('pin the official AWS SDK clients the functions use', () => {
    for (const name of ['@aws-sdk/client-bedrock-runtime', '@aws-sdk/client-bedrock-agent-runtime', '@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-lambda-powertools/parameters']) {
      expect(manifest.dependencies[name], name).toMatch(/^\d+\.\d+\.\d+$/);
    }
    expect(manifest.dependencies.aws4).toBeUndefined();
  });

  it('leave signing to the SDK: nothing under functions/ signs an AWS request itself', () => {
    const signing = sourceFiles(join(projectRoot, 'functions')).filter((file) => /aws4|signature-v4|AWS4-HMAC-SHA256|x-amz-date|EventStreamCodec/i.test(readFileSync(file, 'utf8')));

    expect(signing).toEqual([]);
  });
});

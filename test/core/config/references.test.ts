import { describe, expect, it } from 'vitest';
import { environmentResolver, findReferences, resolveReferences } from '../../../functions/core/config/references.js';

describe('env: and secret: references', () => {
  const resolver = environmentResolver({ OPENAI_API_KEY: 'sk-env' }, async (name) => (name === 'github-token' ? 'ghp_secret' : undefined));

  it('finds references inside longer values', () => {
    expect(findReferences('Bearer secret:github-token')).toEqual([{ kind: 'secret', name: 'github-token' }]);
    expect(findReferences('plain value')).toEqual([]);
  });

  it('resolves env: from the environment and secret: through the secret lookup', async () => {
    await expect(resolveReferences('env:OPENAI_API_KEY', resolver, 'models[0].api_key')).resolves.toBe('sk-env');
    await expect(resolveReferences('Bearer secret:github-token', resolver, 'mcp_servers[0].headers.Authorization')).resolves.toBe('Bearer ghp_secret');
  });

  it('names the field and the reference when a value is missing', async () => {
    await expect(resolveReferences('env:MISSING_KEY', resolver, 'models[2].api_key')).rejects.toThrow('models[2].api_key: env:MISSING_KEY is not set');
  });

  it('leaves literal values alone', async () => {
    await expect(resolveReferences('literal-token', resolver, 'x')).resolves.toBe('literal-token');
  });
});

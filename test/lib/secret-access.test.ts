import { describe, expect, it } from 'vitest';
import { configSchema } from '../../functions/core/config/schema.js';
import { configSecretsStatement, secretNamesFor } from '../../lib/secret-access.js';

const config = configSchema.parse({
  models: [
    { name: 'gpt-4o', provider: 'openai', model: 'gpt-4o', api_key: 'secret:openai-key', headers: { 'OpenAI-Organization': 'secret:openai-org' } },
    { name: 'gpt-4o-local', provider: 'openai', model: 'gpt-4o', api_key: 'env:OPENAI_API_KEY' },
    { name: 'embed', provider: 'openai', model: 'text-embedding-3-small', mode: 'embedding', api_key: 'secret:openai-key' },
  ],
  mcp_servers: [
    { name: 'github', url: 'https://example.com/mcp', headers: { Authorization: 'Bearer secret:github-token' } },
    { name: 'docs', url: 'https://example.com/docs/mcp' },
  ],
  knowledge_bases: [{ name: 'handbook', provider: 'bedrock', knowledge_base_id: 'ABCDEFGHIJ' }],
});

describe('secretNamesFor', () => {
  it('gives chat the secrets of the models (embeddings included) and of the MCP servers, once each', () => {
    expect(secretNamesFor('chat', config)).toEqual(['github-token', 'openai-key', 'openai-org']);
  });

  it('gives mcp only the MCP servers\' secrets', () => {
    expect(secretNamesFor('mcp', config)).toEqual(['github-token']);
  });

  it('gives retrieve and admin no config secrets', () => {
    expect(secretNamesFor('retrieve', config)).toEqual([]);
    expect(secretNamesFor('admin', config)).toEqual([]);
  });
});

describe('configSecretsStatement', () => {
  it('makes no statement for a function that reaches no secret', () => {
    expect(configSecretsStatement('retrieve', config)).toBeUndefined();
    expect(configSecretsStatement('mcp', configSchema.parse({ models: [{ name: 'echo', provider: 'echo' }] }))).toBeUndefined();
  });

  it('allows only GetSecretValue, on one ARN pattern per secret', () => {
    const statement = configSecretsStatement('mcp', config)?.toStatementJson() as { Action: string; Resource: unknown };

    expect(statement.Action).toBe('secretsmanager:GetSecretValue');
    expect(JSON.stringify(statement.Resource)).toContain(':secret:github-token-??????');
    expect(JSON.stringify(statement.Resource)).not.toContain('openai');
  });
});

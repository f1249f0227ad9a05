import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../functions/core/config/load.js';

const errorOf = (yaml: string): string => {
  try {
    parseConfig(yaml, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
};

describe('parseConfig', () => {
  it('accepts the default config with Bedrock models and echo', () => {
    const config = parseConfig(readFileSync(new URL('../../../tollway.config.yaml', import.meta.url), 'utf8'));

    const providers = config.models.map((model) => `${model.provider}:${model.model ?? model.name}`);
    expect(providers).toEqual(expect.arrayContaining([expect.stringMatching(/^bedrock:.*claude-sonnet/), expect.stringMatching(/^bedrock:.*claude-haiku/), expect.stringMatching(/^bedrock:.*nova/), expect.stringMatching(/^bedrock:amazon\.titan-embed-text-v2/), 'echo:echo']));
    expect(config.models.find((model) => model.name === 'echo')?.price).toBeDefined();
    expect(config.settings.key_cache_ttl_seconds).toBe(10);
  });

  it('fills defaults for optional sections', () => {
    const config = parseConfig('models: [{ name: echo, provider: echo }]');
    expect(config.mcp_servers).toEqual([]);
    expect(config.models[0]).toMatchObject({ mode: 'chat', weight: 1 });
    expect(config.settings).toMatchObject({ max_body_bytes: 5_500_000, log_prompts: false });
  });

  it.each([
    ['models: [{ name: a, provider: nope }]', 'models[0].provider'],
    ['models: [{ name: a, provider: bedrock }]', 'models[0].model'],
    ['models: [{ name: a, provider: openai-compatible, model: m }]', 'models[0].base_url'],
    ['models: [{ name: a, provider: echo, price: { input_per_mtok: -1, output_per_mtok: 1 } }]', 'models[0].price.input_per_mtok'],
    ['models: [{ name: a, provider: echo, fallbacks: [b] }]', 'models[0].fallbacks[0]'],
    ['models: [{ name: a, provider: echo, tempreature: 1 }]', 'models[0]'],
    ['models: []', 'models'],
    ['models: [{ name: a, provider: echo }]\nmcp_servers: [{ name: x, url: "ftp://nope" }]', 'mcp_servers[0].url'],
    ['models: [{ name: a, provider: echo }]\nsettings: { key_cache_ttl_seconds: 9999 }', 'settings.key_cache_ttl_seconds'],
  ])('names the field in %s', (yaml, field) => {
    expect(errorOf(yaml)).toContain(`${field}:`);
  });

  it('reports unknown fields by name', () => {
    expect(errorOf('models: [{ name: a, provider: echo, tempreature: 1 }]')).toContain('tempreature');
  });

  it('reports YAML syntax errors with the file name', () => {
    expect(errorOf('models: [')).toMatch(/^test\.yaml: not valid YAML/);
  });
});

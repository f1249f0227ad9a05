import { Aws } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { findReferences } from '../functions/core/config/references.js';
import type { TollwayConfig } from '../functions/core/config/schema.js';
import type { FunctionName } from '../functions/core/routes.js';

/** The config sections whose values may hold `secret:NAME` references. */
type SecretSection = 'models' | 'mcp_servers';

/** The secret-bearing values of each section: `api_key` and header values. */
const secretBearingValues: Record<SecretSection, (config: TollwayConfig) => string[]> = {
  models: (config) => config.models.flatMap((model) => [model.api_key ?? '', ...Object.values(model.headers ?? {})]),
  mcp_servers: (config) => config.mcp_servers.flatMap((server) => Object.values(server.headers ?? {})),
};

/**
 * The sections each function's composition reads secrets from
 * (`functions/runtime/*-runtime.ts`). Knowledge bases name no secrets, and
 * the master key has its own grant (admin's), so neither appears here.
 */
const secretSectionsOf: Record<FunctionName, readonly SecretSection[]> = {
  // Providers (completions and embeddings), and the MCP tools behind `{"type": "mcp"}` tools.
  chat: ['models', 'mcp_servers'],
  // The MCP endpoints and tools routes; no model providers.
  mcp: ['mcp_servers'],
  // Knowledge-base search only.
  retrieve: [],
  // Keys, teams, spend and health over the stores.
  admin: [],
};

/** Names of the `secret:NAME` references in `values`, sorted and without repeats. */
const secretNamesAmong = (values: string[]): string[] => {
  const references = values.flatMap((value) => findReferences(value)).filter((reference) => reference.kind === 'secret');
  return [...new Set(references.map((reference) => reference.name))].sort();
};

/** Names of the Secrets Manager secrets one function's routes can reach, sorted and without repeats. */
export const secretNamesFor = (functionName: FunctionName, config: TollwayConfig): string[] =>
  secretNamesAmong(secretSectionsOf[functionName].flatMap((section) => secretBearingValues[section](config)));

/**
 * GetSecretValue on exactly the secrets one function can reach (by name:
 * Secrets Manager appends six random characters to a secret's ARN); none
 * when there are none.
 */
export const configSecretsStatement = (functionName: FunctionName, config: TollwayConfig): PolicyStatement | undefined => {
  const names = secretNamesFor(functionName, config);
  if (names.length === 0) return undefined;
  return new PolicyStatement({
    actions: ['secretsmanager:GetSecretValue'],
    resources: names.map((name) => `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${name}-??????`),
  });
};

import { Aws } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { findReferences } from '../functions/core/config/references.js';
import type { TollwayConfig } from '../functions/core/config/schema.js';

/** Names of the Secrets Manager secrets the config refers to as `secret:NAME`, sorted and without repeats. */
export const secretNamesIn = (config: TollwayConfig): string[] => {
  const values = [
    ...config.models.flatMap((model) => [model.api_key ?? '', ...Object.values(model.headers ?? {})]),
    ...config.mcp_servers.flatMap((server) => Object.values(server.headers ?? {})),
  ];
  const names = values.flatMap((value) => findReferences(value)).filter((reference) => reference.kind === 'secret');
  return [...new Set(names.map((reference) => reference.name))].sort();
};

/**
 * GetSecretValue on exactly the referenced secrets (by name: Secrets Manager
 * appends six random characters to a secret's ARN); none when there are none.
 */
export const configSecretsStatement = (config: TollwayConfig): PolicyStatement | undefined => {
  const names = secretNamesIn(config);
  if (names.length === 0) return undefined;
  return new PolicyStatement({
    actions: ['secretsmanager:GetSecretValue'],
    resources: names.map((name) => `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${name}-??????`),
  });
};

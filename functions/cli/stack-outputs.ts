import { readFileSync } from 'node:fs';
import { CliError } from './gateway-client.js';

/** What the CLI takes from a deployed stack: its URL, and where its master key is kept. */
export interface StackOutputs {
  /** `ApiUrl` without its trailing slash. */
  url: string;
  masterKeySecretArn?: string;
}

/**
 * Reads the file `cdk deploy --outputs-file <file>` writes (`{ "<stack>": { "ApiUrl": …, "MasterKeySecretArn": … } }`):
 * the first stack with an `ApiUrl`; a CliError saying what is wrong otherwise.
 */
export const readStackOutputs = (path: string): StackOutputs => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliError(`--outputs ${path} cannot be read as JSON (${(error as Error).message.split('\n')[0]}); write it with cdk deploy --outputs-file ${path}.`);
  }
  const stacks = typeof parsed === 'object' && parsed !== null ? Object.values(parsed as Record<string, unknown>) : [];
  for (const stack of stacks) {
    if (typeof stack !== 'object' || stack === null) continue;
    const { ApiUrl: apiUrl, MasterKeySecretArn: secretArn } = stack as Record<string, unknown>;
    if (typeof apiUrl !== 'string') continue;
    return { url: apiUrl.replace(/\/+$/, ''), ...(typeof secretArn === 'string' ? { masterKeySecretArn: secretArn } : {}) };
  }
  throw new CliError(`--outputs ${path} names no stack with an ApiUrl output; is it the file of cdk deploy --outputs-file?`);
};

/** The region of an ARN (`arn:aws:secretsmanager:<region>:…`). */
export const regionOfArn = (arn: string): string | undefined => arn.split(':')[3] || undefined;

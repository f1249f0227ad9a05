import { ParameterNotFoundError } from '@aws-lambda-powertools/parameters/errors';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsSettings } from './aws-settings.js';

/** How long a secret value is trusted before it is read again, so rotations reach warm functions. */
export const secretMaxAgeSeconds = 300;

/**
 * Reads secrets by name or ARN through Powertools Parameters, which caches
 * each value for `maxAgeSeconds` (a failed read is not cached, so the next
 * request tries again); `undefined` when there is no such secret.
 */
export const secretsReader = (settings: AwsSettings = {}, maxAgeSeconds = secretMaxAgeSeconds): ((secretId: string) => Promise<string | undefined>) => {
  const provider = new SecretsProvider({
    awsSdkV3Client: new SecretsManagerClient({ region: settings.region, credentials: settings.credentials, maxAttempts: 3 }),
  });
  return async (secretId) => {
    try {
      const value = await provider.get(secretId, { maxAge: maxAgeSeconds, throwOnMissing: true });
      return typeof value === 'string' ? value : value === undefined ? undefined : new TextDecoder().decode(value);
    } catch (error) {
      if (error instanceof ParameterNotFoundError) return undefined;
      throw error;
    }
  };
};

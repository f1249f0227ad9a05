/** AWS credentials as the signer needs them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Resolves the credentials to sign the next request with (a provider caches and refreshes them itself). */
export type CredentialProvider = () => Promise<AwsCredentials>;

/** Always the same credentials: dynalite, tests. */
export const staticCredentials =
  (credentials: AwsCredentials): CredentialProvider =>
  async () =>
    credentials;

/** The credentials the environment variables hold, as Lambda sets them for the function's role. */
export const environmentCredentials = (environment: Record<string, string | undefined>): AwsCredentials | undefined => {
  const accessKeyId = environment.AWS_ACCESS_KEY_ID;
  const secretAccessKey = environment.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken: environment.AWS_SESSION_TOKEN || undefined };
};

/**
 * The credentials of the environment variables (always there in Lambda) or,
 * when they are absent (local mode with a profile, SSO, an instance role), the
 * AWS SDK's default chain, imported on first use: Lambda bundles leave that
 * package out (`gatewayBundling`), since Lambda never takes this path.
 */
export const defaultCredentials = (environment: Record<string, string | undefined> = process.env): CredentialProvider => {
  let chain: Promise<CredentialProvider> | undefined;
  return async () => {
    const fromEnvironment = environmentCredentials(environment);
    if (fromEnvironment) return fromEnvironment;
    chain ??= import('@aws-sdk/credential-provider-node').then(({ defaultProvider }) => defaultProvider());
    return (await chain)();
  };
};

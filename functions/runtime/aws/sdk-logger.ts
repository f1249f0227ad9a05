/** The name the AWS SDK registers its per-call logging middleware under. */
export const sdkLoggerMiddleware = 'loggerMiddleware';

/**
 * Takes the SDK's logger middleware off a client. It copies every input and
 * output through the sensitive-field filter (a walk over the whole prompt
 * and answer on Bedrock) even when nothing logs them: the default no-op
 * logger still has an `info`. The gateway logs what matters itself.
 */
export const withoutSdkLogger = <Client extends { middlewareStack: { remove(name: string): boolean } }>(client: Client): Client => {
  client.middlewareStack.remove(sdkLoggerMiddleware);
  return client;
};

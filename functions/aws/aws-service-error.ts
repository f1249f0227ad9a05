/**
 * An error answered by an AWS service, shaped as the AWS SDK shapes its own:
 * `name` is the service's error code (`ConditionalCheckFailedException`,
 * `ThrottlingException`) and `$metadata.httpStatusCode` the HTTP status, so
 * code that reads SDK errors reads these too.
 */
export class AwsServiceError extends Error {
  readonly $metadata: { httpStatusCode?: number; requestId?: string };
  readonly $fault: 'client' | 'server';
  /** The error document the service sent, parsed, when it was JSON. */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    name: string,
    message: string,
    options: { status?: number; requestId?: string; details?: Record<string, unknown>; fault?: 'client' | 'server' } = {},
  ) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode: options.status, requestId: options.requestId };
    this.$fault = options.fault ?? (options.status !== undefined && options.status >= 500 ? 'server' : 'client');
    this.details = options.details;
  }
}

const throttlingNames = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'RequestThrottled',
  'RequestThrottledException',
  'LimitExceededException',
]);

/** Whether the service refused the request for load and it can be sent again: throttling or a server fault. */
export const isRetryableServiceError = (error: unknown): boolean =>
  error instanceof AwsServiceError && (throttlingNames.has(error.name) || error.$fault === 'server');

/** The error code from the `x-amzn-errortype` header or the body's `__type`/`code` (`com.amazonaws...#Name` → `Name`). */
const errorNameOf = (headerType: string | undefined, details: Record<string, unknown> | undefined): string | undefined => {
  const raw = headerType ?? (typeof details?.__type === 'string' ? details.__type : typeof details?.code === 'string' ? details.code : undefined);
  if (!raw) return undefined;
  const withoutUrl = raw.split(':')[0] ?? raw;
  return withoutUrl.slice(withoutUrl.lastIndexOf('#') + 1) || undefined;
};

/** The error an AWS JSON or REST-JSON service means by a non-2xx answer. */
export const serviceErrorOf = (status: number, headers: Record<string, string | string[] | undefined>, bodyText: string): AwsServiceError => {
  let details: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) details = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's HTML page): the status says enough.
  }
  const headerType = typeof headers['x-amzn-errortype'] === 'string' ? headers['x-amzn-errortype'] : undefined;
  const name = errorNameOf(headerType, details) ?? (status >= 500 ? 'InternalServerError' : `Http${status}Error`);
  const message = typeof details?.message === 'string' ? details.message : typeof details?.Message === 'string' ? details.Message : `HTTP ${status}`;
  const requestId = headers['x-amzn-requestid'] ?? headers['x-amz-request-id'];
  return new AwsServiceError(name, message, { status, requestId: typeof requestId === 'string' ? requestId : undefined, details });
};

import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/**
 * What a host tells the AWS SDK clients beyond the SDK's own resolution.
 * Everything left out is resolved by the SDK as everywhere else: the region
 * from `AWS_REGION` or the profile, credentials from the default chain,
 * endpoints from `AWS_ENDPOINT_URL_<SERVICE>` / `AWS_ENDPOINT_URL`, FIPS and
 * dual-stack from `AWS_USE_FIPS_ENDPOINT` / `AWS_USE_DUALSTACK_ENDPOINT`.
 */
export interface AwsSettings {
  /** The region of resources that name none. */
  region?: string;
  credentials?: DynamoDBClientConfig['credentials'];
}

/**
 * One client per region (`undefined`: the SDK's default region), made on
 * first use and kept for the life of the runtime that holds the cache.
 */
export const perRegion = <Client>(create: (region: string | undefined) => Client): ((region: string | undefined) => Client) => {
  const clients = new Map<string | undefined, Client>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = create(region);
      clients.set(region, client);
    }
    return client;
  };
};

/**
 * The region a configured AWS resource is called in: its own `region`, else
 * the function's (`AWS_REGION`, which Lambda sets, then `AWS_DEFAULT_REGION`);
 * none at all is left for the first call to report, so a config without one
 * still loads.
 */
export const regionOf = (configured: string | undefined, environment: Record<string, string | undefined> = process.env): string | undefined =>
  configured || environment.AWS_REGION || environment.AWS_DEFAULT_REGION || undefined;

/** The partition of a region, as ARNs name it. */
export const partitionOf = (region: string): 'aws' | 'aws-cn' | 'aws-us-gov' =>
  region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';

/** The domain of a region's service endpoints. */
export const dnsSuffixOf = (region: string): string => (partitionOf(region) === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com');

/**
 * One client per region (`undefined` included: a client that reports the
 * missing region), made on first use and kept across warm Lambda invocations.
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

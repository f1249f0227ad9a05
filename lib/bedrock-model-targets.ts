import { Aws } from 'aws-cdk-lib';

/**
 * The Regions each geography's cross-Region (system-defined) inference
 * profiles route to, as the Bedrock user guide lists them ("Supported Regions
 * and models for inference profiles"): the union over the geography's
 * profiles, since one model's profile may reach a Region another's does not.
 * A Region listed here that a profile never routes to widens nothing: the
 * foundation-model grant is conditional on that one profile. A Region missing
 * here fails the requests Bedrock routes there, so extend the list when AWS
 * adds a destination.
 */
export const geographyRegions: Readonly<Record<string, readonly string[]>> = {
  us: ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'],
  'us-gov': ['us-gov-east-1', 'us-gov-west-1'],
  eu: ['eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3'],
  apac: [
    'ap-east-2',
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'ap-south-1',
    'ap-south-2',
    'ap-southeast-1',
    'ap-southeast-2',
    'ap-southeast-3',
    'ap-southeast-4',
    'ap-southeast-5',
    'ap-southeast-7',
    'me-central-1',
  ],
  jp: ['ap-northeast-1', 'ap-northeast-3'],
  au: ['ap-southeast-2', 'ap-southeast-4'],
  in: ['ap-south-1', 'ap-south-2'],
  ca: ['ca-central-1', 'ca-west-1'],
};

/** The prefix of global cross-Region profiles, which route to any commercial Region. */
const globalPrefix = 'global';

/** What a configured Bedrock model id names, and so which ARNs invoking it touches. */
export type BedrockModelTarget =
  /** A full ARN (application inference profile, provisioned throughput): taken as it is. */
  | { kind: 'arn'; arn: string }
  /** A foundation model, invoked in the entry's Region. */
  | { kind: 'foundation-model'; modelArn: string }
  /** A geographic profile: the profile in the entry's Region, the model there and in the geography's Regions. */
  | { kind: 'geographic'; profileArn: string; modelArns: string[] }
  /** A global profile: the profile and the model in the entry's Region, and the Region-less model ARN Bedrock authorises the routed call on. */
  | { kind: 'global'; profileArn: string; sourceModelArn: string; globalModelArn: string };

const foundationModelArn = (region: string, modelId: string): string => `arn:${Aws.PARTITION}:bedrock:${region}::foundation-model/${modelId}`;

/**
 * The target of a model id invoked from `region` (the entry's `region`, or
 * the function's own): `us.anthropic.claude-…` is a geographic profile,
 * `global.…` a global one, anything else without a known prefix a
 * foundation model.
 */
export const bedrockModelTarget = (modelId: string, region: string = Aws.REGION): BedrockModelTarget => {
  if (modelId.startsWith('arn:')) return { kind: 'arn', arn: modelId };
  const [prefix, ...rest] = modelId.split('.');
  const isProfile = rest.length >= 2 && (prefix === globalPrefix || Object.hasOwn(geographyRegions, prefix));
  if (!isProfile) return { kind: 'foundation-model', modelArn: foundationModelArn(region, modelId) };
  const baseModelId = rest.join('.');
  const profileArn = `arn:${Aws.PARTITION}:bedrock:${region}:${Aws.ACCOUNT_ID}:inference-profile/${modelId}`;
  const sourceModelArn = foundationModelArn(region, baseModelId);
  if (prefix === globalPrefix) return { kind: 'global', profileArn, sourceModelArn, globalModelArn: foundationModelArn('', baseModelId) };
  const destinations = geographyRegions[prefix].filter((destination) => destination !== region);
  return { kind: 'geographic', profileArn, modelArns: [sourceModelArn, ...destinations.map((destination) => foundationModelArn(destination, baseModelId))] };
};

import { Aws } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { TollwayConfig } from '../functions/core/config/schema.js';

/**
 * Geography prefixes of Bedrock cross-region (system-defined) inference
 * profile ids, as in `us.anthropic.claude-sonnet-4-5-20250929-v1:0`.
 */
const inferenceProfilePrefixes = ['us', 'us-gov', 'eu', 'apac', 'jp', 'au', 'ca', 'global'];

const foundationModelArn = (modelId: string): string =>
  // Any region: a cross-region profile routes to the model in every region of its geography.
  `arn:${Aws.PARTITION}:bedrock:*::foundation-model/${modelId}`;

/**
 * The ARNs a Bedrock model id needs to be invoked: the foundation model, or
 * for a cross-region inference profile the profile in the caller's region
 * plus the foundation model it routes to. A full ARN (application inference
 * profile, provisioned throughput) is taken as it is.
 */
export const bedrockModelArns = (modelId: string, region: string = Aws.REGION): string[] => {
  if (modelId.startsWith('arn:')) return [modelId];
  const [prefix, ...rest] = modelId.split('.');
  if (rest.length >= 2 && inferenceProfilePrefixes.includes(prefix)) {
    return [`arn:${Aws.PARTITION}:bedrock:${region}:${Aws.ACCOUNT_ID}:inference-profile/${modelId}`, foundationModelArn(rest.join('.'))];
  }
  return [foundationModelArn(modelId)];
};

/** Invoke (and Converse, which uses the same actions) on exactly the configured Bedrock models; none when there are none. */
export const bedrockInvokeStatement = (config: TollwayConfig): PolicyStatement | undefined => {
  const resources = new Set<string>();
  for (const model of config.models) {
    if (model.provider !== 'bedrock' || !model.model) continue;
    bedrockModelArns(model.model, model.region).forEach((arn) => resources.add(arn));
  }
  if (resources.size === 0) return undefined;
  return new PolicyStatement({
    actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
    resources: [...resources],
  });
};

/** Retrieve on exactly the configured existing Bedrock knowledge bases (provisioned ones grant their own); none when there are none. */
export const bedrockRetrieveStatement = (config: TollwayConfig): PolicyStatement | undefined => {
  const resources = config.knowledge_bases.flatMap((base) =>
    base.provider === 'bedrock' && base.knowledge_base_id
      ? [`arn:${Aws.PARTITION}:bedrock:${base.region ?? Aws.REGION}:${Aws.ACCOUNT_ID}:knowledge-base/${base.knowledge_base_id}`]
      : [],
  );
  if (resources.length === 0) return undefined;
  return new PolicyStatement({ actions: ['bedrock:Retrieve'], resources });
};

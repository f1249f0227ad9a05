import { partition } from '@aws-sdk/core/client';

/**
 * The region a knowledge base is searched in, for the ARNs it needs (reranking
 * models): its own `region`, else the function's (`AWS_REGION`, then
 * `AWS_DEFAULT_REGION`); none at all is left for the first search to report.
 */
export const knowledgeBaseRegion = (configured: string | undefined, environment: Record<string, string | undefined>): string | undefined =>
  configured || environment.AWS_REGION || environment.AWS_DEFAULT_REGION || undefined;

/** A model id as the foundation-model ARN in `region`, in the region's partition (the SDK's partition table); an ARN as it is. */
export const rerankingModelArn = (model: string, region: string | undefined): string | undefined => {
  if (model.startsWith('arn:')) return model;
  return region ? `arn:${partition(region).name}:bedrock:${region}::foundation-model/${model}` : undefined;
};

import { Aws } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ModelConfig, TollwayConfig } from '../functions/core/config/schema.js';
import { isBedrockClaude } from '../functions/providers/bedrock/bedrock-messages-api.js';
import { bedrockModelTarget, type BedrockModelTarget } from './bedrock-model-targets.js';

type Conditions = Record<string, Record<string, string>>;

const statement = (actions: string[], resources: string[], conditions?: Conditions) => new PolicyStatement({ actions, resources, conditions });

/** Only when the call came through `profileArn`: a foundation model reached by a profile is not invocable directly. */
const throughProfile = (profileArn: string, extra: Record<string, string> = {}): Conditions => ({
  StringEquals: { 'bedrock:InferenceProfileArn': profileArn, ...extra },
});

/**
 * What a model's calls send: InvokeModel for embeddings (Titan, Cohere); for
 * chat also InvokeModelWithResponseStream. Converse and ConverseStream are
 * authorised by the same two actions, as are Claude's Messages-native calls.
 */
const invokeActionsOf = (model: ModelConfig): string[] =>
  model.mode === 'embedding' ? ['bedrock:InvokeModel'] : ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];

/** The invoke statements of one target, in the shapes the Bedrock user guide gives for each kind of profile. */
const invokeStatementsOf = (actions: string[], target: BedrockModelTarget): PolicyStatement[] => {
  switch (target.kind) {
    case 'arn':
      return [statement(actions, [target.arn])];
    case 'foundation-model':
      return [statement(actions, [target.modelArn])];
    case 'geographic':
      return [statement(actions, [target.profileArn]), statement(actions, target.modelArns, throughProfile(target.profileArn))];
    case 'global':
      return [
        statement(actions, [target.profileArn]),
        statement(actions, [target.sourceModelArn], throughProfile(target.profileArn)),
        // A globally routed call is authorised on the Region-less model ARN, with no Region requested.
        statement(actions, [target.globalModelArn], throughProfile(target.profileArn, { 'aws:RequestedRegion': 'unspecified' })),
      ];
  }
};

/**
 * CountTokens (Claude's `/v1/messages/count_tokens`) names the configured id
 * and is answered in the caller's Region, by the profile or by the model
 * there: both, unconditioned, since Bedrock documents no profile context for
 * it. It counts and generates nothing.
 */
const countTokensResourcesOf = (target: BedrockModelTarget): string[] => {
  switch (target.kind) {
    case 'arn':
      return [target.arn];
    case 'foundation-model':
      return [target.modelArn];
    case 'geographic':
      return [target.profileArn, target.modelArns[0]];
    case 'global':
      return [target.profileArn, target.sourceModelArn];
  }
};

/** A guardrail given by id is the account's, in the Region the model is called from. */
const guardrailArnOf = (id: string, region: string): string =>
  id.startsWith('arn:') ? id : `arn:${Aws.PARTITION}:bedrock:${region}:${Aws.ACCOUNT_ID}:guardrail/${id}`;

/** Every statement one `provider: bedrock` entry needs for the calls the chat function makes with it. */
const modelStatementsOf = (model: ModelConfig & { model: string }): PolicyStatement[] => {
  const region = model.region ?? Aws.REGION;
  const target = bedrockModelTarget(model.model, region);
  const statements = invokeStatementsOf(invokeActionsOf(model), target);
  if (model.mode === 'chat' && isBedrockClaude(model.model)) statements.push(statement(['bedrock:CountTokens'], countTokensResourcesOf(target)));
  // Converse and InvokeModel apply the entry's guardrail, which IAM authorises as ApplyGuardrail on it.
  if (model.mode === 'chat' && model.guardrail) statements.push(statement(['bedrock:ApplyGuardrail'], [guardrailArnOf(model.guardrail.id, region)]));
  return statements;
};

/**
 * The Bedrock statements of the chat function: exactly the configured
 * models, each with the actions its calls send, a foundation model reached
 * through a profile only through that profile. None without Bedrock models.
 */
export const bedrockInvokeStatements = (config: TollwayConfig): PolicyStatement[] =>
  config.models.flatMap((model) => (model.provider === 'bedrock' && model.model ? modelStatementsOf({ ...model, model: model.model }) : []));

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

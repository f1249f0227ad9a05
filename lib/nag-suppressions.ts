import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { GatewayApi } from './gateway-api.js';
import type { GatewayFunctions } from './gateway-functions.js';
import type { KnowledgeBases } from './knowledge-bases.js';
import type { ManagedInstances } from './managed-instances.js';
import type { MasterKey } from './master-key.js';

/** The parts of the stack cdk-nag has findings on. */
export interface NagScope {
  masterKey: MasterKey;
  functions: GatewayFunctions;
  api: GatewayApi;
  knowledgeBases?: KnowledgeBases;
  managedInstances?: ManagedInstances;
}

/** `<LogicalId.Arn>`, as cdk-nag names a `Fn::GetAtt` in a finding. */
const arnReference = (construct: IConstruct): string => `<${Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement)}.Arn>`;

const acknowledge = (construct: IConstruct, id: string, reason: string) => Validations.of(construct).acknowledge({ id: `AwsSolutions-${id}`, reason });

/**
 * The cdk-nag AwsSolutions findings the stack accepts, each on the construct
 * it concerns and with the reason it is accepted. Everything else is fixed
 * at its source (API access logs, TLS-only alarm topic, bucket TLS and
 * encryption, per-model and per-Region Bedrock grants, per-index and
 * per-secret grants); `test/hardening`
 * checks that no finding is left unacknowledged.
 */
export const acknowledgeNagFindings = (scope: NagScope): void => {
  const { masterKey, functions, api, knowledgeBases, managedInstances } = scope;

  acknowledge(
    masterKey.secret,
    'SMG4',
    'The master key is a bearer credential held by administrators outside AWS; a scheduled rotation would lock them out. Rotate it on purpose with `aws secretsmanager put-secret-value`.',
  );

  for (const gatewayFunction of [functions.chat, functions.mcp, functions.retrieve, functions.admin]) {
    const lambdaFunction = gatewayFunction.lambdaFunction;
    acknowledge(
      lambdaFunction,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'The AWS-managed basic execution policy grants only what a function needs to write its CloudWatch logs (logs:CreateLogGroup, CreateLogStream, PutLogEvents).',
    );
    acknowledge(
      lambdaFunction,
      'IAM5[Resource::*]',
      'Only xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) are on "*": X-Ray supports no resource-level permissions for them.',
    );
    acknowledge(
      lambdaFunction,
      'L1',
      'Node.js 22 is pinned on purpose: the bundles are built for node22 and the test suite runs there; raise the runtime and the esbuild target together.',
    );
  }

  acknowledge(
    api.api,
    'APIG2',
    'Every route is a Lambda proxy: the gateway validates bodies itself (zod) and answers in the OpenAI error envelope, which API Gateway request validation could not.',
  );
  acknowledge(
    api.api,
    'APIG3',
    'AWS WAF is optional: per-key rate limits and budgets live in the gateway and the stage is throttled; associate a web ACL with the stage where an organisation requires one.',
  );
  acknowledge(
    api.api,
    'APIG4',
    'Authorization is the gateway\'s: every route but /health checks a virtual key or the master key (OpenAI-style Bearer tokens), which an API Gateway authorizer cannot validate against budgets and allowlists.',
  );
  acknowledge(
    api.api,
    'COG4',
    'Clients are OpenAI SDKs and MCP clients with virtual API keys, not Cognito users; the gateway authenticates every route but /health.',
  );
  acknowledge(
    api.api,
    'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    'The AWS-managed policy API Gateway needs to write the stage\'s execution and access logs to CloudWatch.',
  );

  if (managedInstances) {
    acknowledge(
      managedInstances.capacityProvider,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AWSLambdaManagedEC2ResourceOperator]',
      'The operator role Lambda assumes to launch and retire the capacity provider\'s EC2 instances; AWS maintains this managed policy for exactly that service and scopes it to instances Lambda manages.',
    );
  }

  for (const knowledgeBase of knowledgeBases?.knowledgeBases ?? []) {
    acknowledge(
      knowledgeBase.documents,
      'S1',
      'The documents bucket only holds knowledge-base sources written by operators (TLS-only, encrypted, versioned, no public access); server access logs would need a second bucket for little gain. Enable CloudTrail data events where required.',
    );
    acknowledge(
      knowledgeBase.serviceRole,
      `IAM5[Resource::${arnReference(knowledgeBase.documents)}/*]`,
      'Bedrock ingests every object of this knowledge base\'s own documents bucket (s3:GetObject only).',
    );
  }
};

import { Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { TollwayConfig } from '../functions/core/config/schema.js';
import type { FunctionName } from '../functions/core/routes.js';
import { masterKeySecretArnVariable } from '../functions/handlers/environment.js';
import { tableDefinitions } from '../functions/stores/table-definitions.js';
import { bedrockInvokeStatements, bedrockRetrieveStatement } from './bedrock-access.js';
import type { DataTables } from './data-tables.js';
import { chatFunctionMemoryMb, smallFunctionMemoryMb } from './function-memory.js';
import { GatewayFunction } from './gateway-function.js';
import { ManagedInstances, managedInstanceMemoryMb } from './managed-instances.js';
import { grantTableAccess, tableAccessOf } from './table-access.js';

export interface GatewayFunctionsProps {
  config: TollwayConfig;
  tables: DataTables;
  masterKey: ISecret;
}

/** The Lambda functions named in the route table, each with its grants beside it. */
export class GatewayFunctions extends Construct {
  /** Completions, responses and models: streamed, long-running, calls the upstreams. */
  public readonly chat: GatewayFunction;
  /** MCP: the federated endpoint, per-server pass-through and the tools REST routes. */
  public readonly mcp: GatewayFunction;
  /** Knowledge-base search: vector-store routes, Bedrock Retrieve on the configured knowledge bases. */
  public readonly retrieve: GatewayFunction;
  /** Keys, teams, spend, health: short, buffered, holds the master key. */
  public readonly admin: GatewayFunction;
  /** Every function by the name the route table uses. */
  public readonly byName: Record<FunctionName, IFunction>;
  /** With `deployment.compute: managed-instances`: the capacity provider chat and mcp run on. */
  public readonly managedInstances?: ManagedInstances;

  constructor(scope: Construct, id: string, props: GatewayFunctionsProps) {
    super(scope, id);
    const { config, tables, masterKey } = props;
    const onManagedInstances = config.deployment.compute === 'managed-instances';
    /** Exactly the DynamoDB calls the function's stores make (`tableAccessOf`), table by table. */
    const grantTables = (name: FunctionName, gatewayFunction: GatewayFunction) => {
      const accessById = tableAccessOf(name, config);
      for (const { id } of tableDefinitions) {
        const access = accessById[id];
        if (access) grantTableAccess(gatewayFunction.lambdaFunction, tables.byId[id], access);
      }
    };

    this.chat = new GatewayFunction(this, 'Chat', {
      name: 'chat',
      config,
      // The Lambda maximum: a long generation streams for minutes.
      timeout: Duration.minutes(15),
      memorySize: onManagedInstances ? managedInstanceMemoryMb : chatFunctionMemoryMb,
      environment: tables.environment,
    });
    grantTables('chat', this.chat);
    for (const statement of [...bedrockInvokeStatements(config), bedrockRetrieveStatement(config)]) {
      if (statement) this.chat.lambdaFunction.addToRolePolicy(statement);
    }

    this.mcp = new GatewayFunction(this, 'Mcp', {
      name: 'mcp',
      config,
      // The Lambda maximum: the /mcp routes stream (progress, long tool calls, subscriptions/listen) for up to API Gateway's 15 minutes.
      timeout: Duration.minutes(15),
      memorySize: onManagedInstances ? managedInstanceMemoryMb : smallFunctionMemoryMb,
      environment: tables.environment,
    });
    grantTables('mcp', this.mcp);
    // The built-in knowledge_base__search tool searches the configured knowledge bases.
    const mcpRetrieve = bedrockRetrieveStatement(config);
    if (mcpRetrieve) this.mcp.lambdaFunction.addToRolePolicy(mcpRetrieve);

    this.retrieve = new GatewayFunction(this, 'Retrieve', {
      name: 'retrieve',
      config,
      timeout: Duration.seconds(29),
      memorySize: smallFunctionMemoryMb,
      environment: tables.environment,
    });
    grantTables('retrieve', this.retrieve);
    const retrieveStatement = bedrockRetrieveStatement(config);
    if (retrieveStatement) this.retrieve.lambdaFunction.addToRolePolicy(retrieveStatement);

    this.admin = new GatewayFunction(this, 'Admin', {
      name: 'admin',
      config,
      timeout: Duration.seconds(30),
      memorySize: smallFunctionMemoryMb,
      environment: { ...tables.environment, [masterKeySecretArnVariable]: masterKey.secretArn },
    });
    grantTables('admin', this.admin);
    // The master key is read with GetSecretValue (Powertools Parameters), nothing else.
    this.admin.lambdaFunction.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [masterKey.secretArn] }));

    if (onManagedInstances) {
      // The two functions that spend their time waiting on upstreams; retrieve and admin stay on demand.
      this.managedInstances = new ManagedInstances(this, 'ManagedInstances', { deployment: config.deployment, config });
      for (const shared of [this.chat, this.mcp]) this.managedInstances.addFunction(shared.lambdaFunction);
    }

    this.byName = { chat: this.chat.lambdaFunction, mcp: this.mcp.lambdaFunction, retrieve: this.retrieve.lambdaFunction, admin: this.admin.lambdaFunction };
  }
}

import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { TollwayConfig } from '../functions/core/config/schema.js';
import { DataTables } from './data-tables.js';
import { GatewayApi } from './gateway-api.js';
import { GatewayFunctions } from './gateway-functions.js';
import { MasterKey } from './master-key.js';

export interface TollwayStackProps extends StackProps {
  /** The validated `tollway.config.yaml`. */
  config: TollwayConfig;
}

/** The whole gateway: tables, master key, functions and the API in front of them. */
export class TollwayStack extends Stack {
  public readonly tables: DataTables;
  public readonly masterKey: MasterKey;
  public readonly functions: GatewayFunctions;
  public readonly api: GatewayApi;

  constructor(scope: Construct, id: string, props: TollwayStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.tables = new DataTables(this, 'Tables');
    this.masterKey = new MasterKey(this, 'MasterKey');
    this.functions = new GatewayFunctions(this, 'Functions', { config, tables: this.tables, masterKey: this.masterKey.secret });
    this.api = new GatewayApi(this, 'Gateway', { functions: this.functions.byName, corsOrigins: config.settings.cors_origins });

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL; OpenAI SDKs take `<ApiUrl>v1` as baseURL',
      value: this.api.url,
    });
    new CfnOutput(this, 'MasterKeySecretArn', {
      description: 'Secrets Manager secret holding the master key for the admin routes',
      value: this.masterKey.secret.secretArn,
    });
  }
}

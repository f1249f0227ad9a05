import type { Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type { QueryDefinition } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { TollwayConfig } from '../functions/core/config/schema.js';
import type { GatewayApi } from './gateway-api.js';
import type { GatewayFunctions } from './gateway-functions.js';
import { GatewayAlarms } from './observability/gateway-alarms.js';
import { createGatewayDashboard } from './observability/gateway-dashboard.js';
import { createSavedQueries, type SavedQueryName } from './observability/saved-queries.js';

export interface ObservabilityProps {
  functions: GatewayFunctions;
  api: GatewayApi;
  /** The validated config: model names for per-model alarms, `settings.alarm_email`. */
  config: TollwayConfig;
}

/**
 * What an operator watches: the dashboard drawn from the shared metric
 * definitions, alarms notifying an SNS topic (and `settings.alarm_email` when
 * set), and Logs Insights saved queries over the functions' log groups.
 * Tracing is the functions' and the API stage's own (both active).
 */
export class Observability extends Construct {
  public readonly dashboard: Dashboard;
  /** Every alarm publishes here on ALARM and on OK. */
  public readonly alarmTopic: Topic;
  public readonly alarms: GatewayAlarms;
  public readonly savedQueries: Record<SavedQueryName, QueryDefinition>;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { functions, api, config } = props;
    const lambdas = functions.byName;
    const stage = api.api.deploymentStage;

    // Publishers must use TLS (a topic policy denies anything else).
    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: 'Tollway alarms', enforceSSL: true });
    if (config.settings.alarm_email) this.alarmTopic.addSubscription(new EmailSubscription(config.settings.alarm_email));

    this.alarms = new GatewayAlarms(this, 'Alarms', {
      functions: lambdas,
      stage,
      models: [...new Set(config.models.map((model) => model.name))],
      topic: this.alarmTopic,
    });

    this.dashboard = createGatewayDashboard(this, 'Dashboard', { functions: lambdas, stage, alarms: this.alarms.alarms });

    this.savedQueries = createSavedQueries(this, {
      completionLogGroups: [functions.chat.logGroup],
      allLogGroups: [functions.chat, functions.mcp, functions.retrieve, functions.admin].map((fn) => fn.logGroup),
    });
  }
}

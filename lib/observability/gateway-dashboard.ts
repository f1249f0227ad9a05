import { Stack } from 'aws-cdk-lib';
import { AlarmStatusWidget, Dashboard, GraphWidget, TextWidget, type IAlarm, type IMetric, type IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { DimensionName, MetricName } from '../../functions/core/metrics.js';
import type { FunctionName } from '../../functions/core/routes.js';
import { axisLabel, coldStartsByFunction, metricPeriod, sharedUnit, tollwayMetric, type TollwayStatistic } from './tollway-metrics.js';

const graphHeight = 6;

interface Series {
  metric: MetricName;
  statistic: TollwayStatistic;
  by: DimensionName;
  /** Prefix of each line's label; defaults to the metric name (and statistic). */
  label?: string;
}

/** A graph of Tollway metrics, one line per dimension value, its axis labelled with the metrics' shared unit. */
const tollwayGraph = (title: string, series: readonly Series[], width = 8): GraphWidget =>
  new GraphWidget({
    title,
    width,
    height: graphHeight,
    left: series.map(({ metric, statistic, by, label }) => tollwayMetric(metric, statistic, by, label)),
    leftYAxis: { label: axisLabel(sharedUnit(series.map(({ metric }) => metric))), showUnits: false, min: 0 },
  });

const percentiles = ['p50', 'p90', 'p99'] as const;

/** Every percentile of one latency metric by one dimension. */
const latencySeries = (metric: MetricName, by: DimensionName, statistics: readonly TollwayStatistic[] = percentiles): Series[] =>
  statistics.map((statistic) => ({ metric, statistic, by, label: statistic }));

const awsGraph = (title: string, metrics: IMetric[], width: number, label?: string): GraphWidget =>
  new GraphWidget({ title, width, height: graphHeight, left: metrics, leftYAxis: { label, showUnits: false, min: 0 } });

export interface GatewayDashboardProps {
  functions: Record<FunctionName, IFunction>;
  stage: Stage;
  alarms: IAlarm[];
}

/**
 * The analyst's view of the gateway: traffic, latency, tokens and spend by
 * model and team, limits, routing, MCP servers and knowledge bases from the
 * gateway's own metrics, then the Lambda functions and the API stage.
 */
export const createGatewayDashboard = (scope: Construct, id: string, props: GatewayDashboardProps): Dashboard => {
  const { functions, stage } = props;
  const perFunction = (metric: (fn: IFunction, name: FunctionName) => IMetric): IMetric[] =>
    (Object.entries(functions) as [FunctionName, IFunction][]).map(([name, fn]) => metric(fn, name));
  const period = metricPeriod;

  const rows: IWidget[][] = [
    [
      new TextWidget({
        markdown: [
          '# Tollway gateway',
          'Gateway metrics (namespace `Tollway`) have one line per model, team, MCP server or knowledge base, found by SEARCH: new ones appear without a redeploy.',
          `Per-request detail: Logs Insights saved queries under \`${Stack.of(scope).stackName}/\` (spend by key, top errors, slowest requests).`,
        ].join('\n\n'),
        width: 24,
        height: 3,
      }),
    ],
    [new AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 24, height: 3 })],
    [
      tollwayGraph('Requests by model', [{ metric: 'Requests', statistic: 'Sum', by: 'model' }]),
      tollwayGraph('Errors by model', [{ metric: 'Errors', statistic: 'Sum', by: 'model' }]),
      tollwayGraph('Latency by model (arrival to last byte)', latencySeries('Latency', 'model')),
    ],
    [
      tollwayGraph('Time to first token by model', latencySeries('TimeToFirstToken', 'model')),
      tollwayGraph('Gateway overhead by model (excluding the upstream)', latencySeries('GatewayOverhead', 'model')),
      tollwayGraph('Requests by team', [{ metric: 'Requests', statistic: 'Sum', by: 'team' }]),
    ],
    [
      tollwayGraph('Cost by model (USD)', [{ metric: 'CostUSD', statistic: 'Sum', by: 'model', label: 'USD' }], 12),
      tollwayGraph('Cost by team (USD)', [{ metric: 'CostUSD', statistic: 'Sum', by: 'team', label: 'USD' }], 12),
    ],
    [
      tollwayGraph(
        'Tokens by model',
        [
          { metric: 'InputTokens', statistic: 'Sum', by: 'model', label: 'input' },
          { metric: 'OutputTokens', statistic: 'Sum', by: 'model', label: 'output' },
        ],
        12,
      ),
      tollwayGraph(
        'Tokens by team',
        [
          { metric: 'InputTokens', statistic: 'Sum', by: 'team', label: 'input' },
          { metric: 'OutputTokens', statistic: 'Sum', by: 'team', label: 'output' },
        ],
        12,
      ),
    ],
    [
      tollwayGraph('Budget and rate-limit rejections', [
        { metric: 'BudgetRejected', statistic: 'Sum', by: 'model', label: 'budget' },
        { metric: 'RateLimited', statistic: 'Sum', by: 'model', label: 'rate limit' },
        { metric: 'SoftBudgetCrossed', statistic: 'Sum', by: 'team', label: 'soft budget crossed' },
      ]),
      tollwayGraph('Retries, fallbacks and cooldowns by model', [
        { metric: 'Retries', statistic: 'Sum', by: 'model' },
        { metric: 'Fallbacks', statistic: 'Sum', by: 'model' },
        { metric: 'Cooldowns', statistic: 'Sum', by: 'model' },
      ]),
      tollwayGraph(
        'Guardrail interventions and settlement overages by model',
        [
          { metric: 'GuardrailInterventions', statistic: 'Sum', by: 'model', label: 'guardrail' },
          { metric: 'SettlementOverage', statistic: 'Sum', by: 'model', label: 'overage' },
        ],
        4,
      ),
      awsGraph('Cold starts by function', [coldStartsByFunction()], 4, 'count'),
    ],
    [
      tollwayGraph('MCP tool calls and errors by server', [
        { metric: 'ToolCalls', statistic: 'Sum', by: 'server', label: 'calls' },
        { metric: 'ToolErrors', statistic: 'Sum', by: 'server', label: 'errors' },
      ]),
      tollwayGraph('MCP tool latency by server', latencySeries('ToolLatency', 'server', ['p50', 'p99'])),
      tollwayGraph('Retrievals by knowledge base', [{ metric: 'Retrievals', statistic: 'Sum', by: 'knowledge_base' }], 4),
      tollwayGraph('Retrieval latency by knowledge base', latencySeries('RetrievalLatency', 'knowledge_base', ['p50', 'p99']), 4),
    ],
    [
      awsGraph('Lambda errors', perFunction((fn, name) => fn.metricErrors({ label: name, statistic: 'Sum', period })), 6, 'count'),
      awsGraph('Lambda throttles', perFunction((fn, name) => fn.metricThrottles({ label: name, statistic: 'Sum', period })), 6, 'count'),
      awsGraph('Lambda duration p99', perFunction((fn, name) => fn.metricDuration({ label: name, statistic: 'p99', period })), 6, 'ms'),
      awsGraph('Lambda concurrent executions', perFunction((fn, name) => fn.metric('ConcurrentExecutions', { label: name, statistic: 'Maximum', period })), 6, 'count'),
    ],
    [
      awsGraph(
        `API requests and errors (stage ${stage.stageName})`,
        [
          stage.metricCount({ label: 'requests', statistic: 'Sum', period }),
          stage.metricClientError({ label: '4XX', statistic: 'Sum', period }),
          stage.metricServerError({ label: '5XX', statistic: 'Sum', period }),
        ],
        12,
        'count',
      ),
      awsGraph(
        `API latency (stage ${stage.stageName})`,
        [
          ...percentiles.map((statistic) => stage.metricLatency({ label: `latency ${statistic}`, statistic, period })),
          stage.metricIntegrationLatency({ label: 'integration p99', statistic: 'p99', period }),
        ],
        12,
        'ms',
      ),
    ],
  ];

  return new Dashboard(scope, id, {
    dashboardName: `${Stack.of(scope).stackName}-Gateway`,
    widgets: rows,
  });
};

import { readFileSync } from 'node:fs';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../functions/core/config/schema.js';
import { metricDefinitions, type DimensionName, type MetricName } from '../../functions/core/metrics.js';
import {
  apiServerErrorRatePercent,
  latencyEvaluationPeriods,
  latencyP99ThresholdMs,
  minimumRequestsForRate,
  upstreamErrorRatePercent,
} from '../../lib/observability/gateway-alarms.js';
import { gatewayServiceName, tollwayMetric, tollwayMetricFor } from '../../lib/observability/tollway-metrics.js';
import { TollwayStack } from '../../lib/tollway-stack.js';

/** The feature flags `cdk synth` runs with, so the tests see the same template. */
const cdkContext = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;

const baseConfig = {
  models: [
    { name: 'echo', provider: 'echo' },
    { name: 'claude-sonnet', provider: 'bedrock', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' },
    { name: 'claude-sonnet', provider: 'bedrock', model: 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0', region: 'eu-west-1' },
    { name: 'titan-embed', provider: 'bedrock', model: 'amazon.titan-embed-text-v2:0', mode: 'embedding' },
  ],
  mcp_servers: [{ name: 'github', url: 'https://example.com/mcp' }],
  knowledge_bases: [{ name: 'handbook', provider: 'bedrock', knowledge_base_id: 'ABCDEFGHIJ' }],
};
const modelNames = ['echo', 'claude-sonnet', 'titan-embed'];

const synthesize = (settings: Record<string, unknown> = {}) => {
  const config = configSchema.parse({ ...baseConfig, settings });
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new TollwayStack(app, 'Tollway', { config });
  return { stack, template: Template.fromStack(stack) };
};

const logicalId = (stack: Stack, construct: IConstruct): string => stack.getLogicalId(construct.node.defaultChild as CfnElement);

/** CloudFormation intrinsics as text: strings joined, `Ref` and `Fn::GetAtt` as `${...}` placeholders. */
const render = (value: unknown): string => {
  if (typeof value === 'string') return value;
  const record = value as Record<string, unknown>;
  if ('Ref' in record) return `\${${String(record.Ref)}}`;
  if ('Fn::GetAtt' in record) return `\${${(record['Fn::GetAtt'] as string[]).join('.')}}`;
  if ('Fn::Join' in record) {
    const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
};

interface Widget {
  type: string;
  width: number;
  properties: { title?: string; metrics?: unknown[][]; alarms?: string[]; markdown?: string };
}

const dashboardOf = (template: Template): { name: string; widgets: Widget[] } => {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as { Properties: { DashboardName: string; DashboardBody: unknown } }[];
  return { name: dashboard.Properties.DashboardName, widgets: (JSON.parse(render(dashboard.Properties.DashboardBody)) as { widgets: Widget[] }).widgets };
};

const widget = (widgets: Widget[], title: string): Widget => {
  const found = widgets.find((candidate) => candidate.properties.title === title);
  if (!found) throw new Error(`no widget "${title}" in ${widgets.map((candidate) => candidate.properties.title).join(' | ')}`);
  return found;
};

/** The SEARCH expressions of a graph. */
const searches = (graph: Widget): string[] =>
  (graph.properties.metrics ?? []).flatMap((line) => line.flatMap((part) => (part && typeof part === 'object' && 'expression' in part ? [String(part.expression)] : [])));

const search = (name: MetricName, dimension: DimensionName, statistic: string): string => `SEARCH('{Tollway,service,${dimension}} MetricName="${name}"', '${statistic}')`;

/** The fixed metrics of a graph as `namespace/name` with their dimensions and statistic. */
const fixedMetrics = (graph: Widget) =>
  (graph.properties.metrics ?? [])
    .filter((line) => typeof line[0] === 'string')
    .map((line) => {
      const options = (typeof line.at(-1) === 'object' ? line.at(-1) : {}) as { stat?: string; label?: string };
      const names = line.filter((part): part is string => typeof part === 'string');
      const dimensions = Object.fromEntries(Array.from({ length: (names.length - 2) / 2 }, (_, index) => [names[2 + index * 2], names[3 + index * 2]]));
      return { metric: `${names[0]}/${names[1]}`, dimensions, stat: options.stat ?? 'Average', label: options.label };
    });

describe('the observability dashboard', () => {
  let stack: TollwayStack;
  let widgets: Widget[];
  let name: string;

  beforeAll(() => {
    const synthesized = synthesize();
    stack = synthesized.stack;
    ({ name, widgets } = dashboardOf(synthesized.template));
  });

  it('is named for the stack', () => {
    expect(name).toBe('Tollway-Gateway');
  });

  it('draws requests, errors, latency percentiles, time to first token and overhead by model', () => {
    expect(searches(widget(widgets, 'Requests by model'))).toEqual([search('Requests', 'model', 'Sum')]);
    expect(searches(widget(widgets, 'Errors by model'))).toEqual([search('Errors', 'model', 'Sum')]);
    expect(searches(widget(widgets, 'Latency by model (arrival to last byte)'))).toEqual(['p50', 'p90', 'p99'].map((statistic) => search('Latency', 'model', statistic)));
    expect(searches(widget(widgets, 'Time to first token by model'))).toEqual(['p50', 'p90', 'p99'].map((statistic) => search('TimeToFirstToken', 'model', statistic)));
    expect(searches(widget(widgets, 'Gateway overhead by model (excluding the upstream)'))).toEqual(
      ['p50', 'p90', 'p99'].map((statistic) => search('GatewayOverhead', 'model', statistic)),
    );
  });

  it('names each line by its dimension value and labels the axis with the unit from the metric definitions', () => {
    const latency = widget(widgets, 'Latency by model (arrival to last byte)');
    expect(latency.properties.metrics?.[2][0]).toMatchObject({ label: "p99 ${PROP('Dim.model')}" });
    expect(latency).toMatchObject({ properties: { yAxis: { left: { label: 'ms' } } } });
    expect(widget(widgets, 'Requests by model')).toMatchObject({ properties: { yAxis: { left: { label: 'count' } } } });
  });

  it('draws tokens and cost by model and by team', () => {
    expect(searches(widget(widgets, 'Tokens by model'))).toEqual([search('InputTokens', 'model', 'Sum'), search('OutputTokens', 'model', 'Sum')]);
    expect(searches(widget(widgets, 'Tokens by team'))).toEqual([search('InputTokens', 'team', 'Sum'), search('OutputTokens', 'team', 'Sum')]);
    expect(searches(widget(widgets, 'Cost by model (USD)'))).toEqual([search('CostUSD', 'model', 'Sum')]);
    expect(searches(widget(widgets, 'Cost by team (USD)'))).toEqual([search('CostUSD', 'team', 'Sum')]);
    expect(searches(widget(widgets, 'Requests by team'))).toEqual([search('Requests', 'team', 'Sum')]);
  });

  it('draws limits, routing, MCP tool calls by server and retrievals by knowledge base', () => {
    expect(searches(widget(widgets, 'Budget and rate-limit rejections'))).toEqual([
      search('BudgetRejected', 'model', 'Sum'),
      search('RateLimited', 'model', 'Sum'),
      search('SoftBudgetCrossed', 'team', 'Sum'),
    ]);
    expect(searches(widget(widgets, 'Retries, fallbacks and cooldowns by model'))).toEqual([
      search('Retries', 'model', 'Sum'),
      search('Fallbacks', 'model', 'Sum'),
      search('Cooldowns', 'model', 'Sum'),
    ]);
    expect(searches(widget(widgets, 'MCP tool calls and errors by server'))).toEqual([search('ToolCalls', 'server', 'Sum'), search('ToolErrors', 'server', 'Sum')]);
    expect(searches(widget(widgets, 'MCP tool latency by server'))).toEqual([search('ToolLatency', 'server', 'p50'), search('ToolLatency', 'server', 'p99')]);
    expect(searches(widget(widgets, 'Retrievals by knowledge base'))).toEqual([search('Retrievals', 'knowledge_base', 'Sum')]);
    expect(searches(widget(widgets, 'Retrieval latency by knowledge base'))).toEqual([
      search('RetrievalLatency', 'knowledge_base', 'p50'),
      search('RetrievalLatency', 'knowledge_base', 'p99'),
    ]);
  });

  it('searches only the dimension sets the EMF records carry: service plus one set of the definition', () => {
    const schemas = widgets.flatMap(searches).map((expression) => /^SEARCH\('\{([^}]*)\} MetricName="(\w+)"'/.exec(expression)!);
    expect(schemas.length).toBeGreaterThan(20);
    for (const [, schema, metric] of schemas) {
      const [namespace, service, ...dimensions] = schema.split(',');
      expect([namespace, service]).toEqual(['Tollway', 'service']);
      if (metric === 'ColdStart') expect(dimensions).toEqual(['function_name']);
      else expect(metricDefinitions[metric as MetricName].dimensionSets).toContainEqual(dimensions);
    }
  });

  it('draws cold starts per function from the Powertools ColdStart metric', () => {
    expect(searches(widget(widgets, 'Cold starts by function'))).toEqual([`SEARCH('{Tollway,service,function_name} MetricName="ColdStart"', 'Sum')`]);
  });

  it('draws errors, throttles, duration and concurrency for every function', () => {
    const functionRefs = [stack.functions.chat, stack.functions.mcp, stack.functions.retrieve, stack.functions.admin].map(
      (fn) => `\${${logicalId(stack, fn.lambdaFunction)}}`,
    );
    const expectations: [string, string, string][] = [
      ['Lambda errors', 'AWS/Lambda/Errors', 'Sum'],
      ['Lambda throttles', 'AWS/Lambda/Throttles', 'Sum'],
      ['Lambda duration p99', 'AWS/Lambda/Duration', 'p99'],
      ['Lambda concurrent executions', 'AWS/Lambda/ConcurrentExecutions', 'Maximum'],
    ];
    for (const [title, metric, stat] of expectations) {
      expect(fixedMetrics(widget(widgets, title))).toEqual(
        functionRefs.map((ref, index) => ({ metric, dimensions: { FunctionName: ref }, stat, label: ['chat', 'mcp', 'retrieve', 'admin'][index] })),
      );
    }
  });

  it('draws 4XX, 5XX and latency of the API stage', () => {
    const stage = { ApiName: 'tollway', Stage: `\${${logicalId(stack, stack.api.api.deploymentStage)}}` };
    const traffic = widgets.find((candidate) => candidate.properties.title?.startsWith('API requests and errors'))!;
    expect(fixedMetrics(traffic).map(({ metric, dimensions, stat }) => ({ metric, dimensions, stat }))).toEqual([
      { metric: 'AWS/ApiGateway/Count', dimensions: stage, stat: 'Sum' },
      { metric: 'AWS/ApiGateway/4XXError', dimensions: stage, stat: 'Sum' },
      { metric: 'AWS/ApiGateway/5XXError', dimensions: stage, stat: 'Sum' },
    ]);
    const latency = widgets.find((candidate) => candidate.properties.title?.startsWith('API latency'))!;
    expect(fixedMetrics(latency).map(({ metric, stat }) => `${metric} ${stat}`)).toEqual([
      'AWS/ApiGateway/Latency p50',
      'AWS/ApiGateway/Latency p90',
      'AWS/ApiGateway/Latency p99',
      'AWS/ApiGateway/IntegrationLatency p99',
    ]);
  });

  it('shows the state of every alarm', () => {
    const alarms = widgets.find((candidate) => candidate.type === 'alarm')!;
    expect(alarms.properties.alarms).toEqual(stack.observability.alarms.alarms.map((alarm) => `\${${logicalId(stack, alarm)}.Arn}`));
  });
});

describe('the observability alarms', () => {
  let stack: TollwayStack;
  let template: Template;
  let topicRef: { Ref: string };

  beforeAll(() => {
    ({ stack, template } = synthesize());
    topicRef = { Ref: logicalId(stack, stack.observability.alarmTopic) };
  });

  it('are the API 5xx rate, Lambda throttles, and per configured model the error rate and p99 latency', () => {
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => (alarm as { Properties: { AlarmName: string } }).Properties.AlarmName);
    expect(names.sort()).toEqual(
      ['Tollway-api-5xx-rate', 'Tollway-lambda-throttles', ...modelNames.flatMap((model) => [`Tollway-upstream-error-rate-${model}`, `Tollway-latency-p99-${model}`])].sort(),
    );
  });

  it('notify the topic on alarm and on recovery', () => {
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm).toMatchObject({ Properties: { AlarmActions: [topicRef], OKActions: [topicRef] } });
    }
  });

  it('alarm on the share of API requests answered 5xx', () => {
    const stageRef = { Ref: logicalId(stack, stack.api.api.deploymentStage) };
    const stageMetric = (name: string) => ({
      MetricStat: {
        Metric: { Namespace: 'AWS/ApiGateway', MetricName: name, Dimensions: [{ Name: 'ApiName', Value: 'tollway' }, { Name: 'Stage', Value: stageRef }] },
        Period: 300,
        Stat: 'Sum',
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Tollway-api-5xx-rate',
      Threshold: apiServerErrorRatePercent,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: `IF(requests >= ${minimumRequestsForRate}, 100 * FILL(serverErrors, 0) / requests, 0)`, ReturnData: true }),
        Match.objectLike({ Id: 'requests', ...stageMetric('Count') }),
        Match.objectLike({ Id: 'serverErrors', ...stageMetric('5XXError') }),
      ]),
    });
  });

  it('alarm on the first throttle of any function', () => {
    const functions = { chat: stack.functions.chat, mcp: stack.functions.mcp, retrieve: stack.functions.retrieve, admin: stack.functions.admin };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Tollway-lambda-throttles',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'SUM([FILL(chat, 0), FILL(mcp, 0), FILL(retrieve, 0), FILL(admin, 0)])' }),
        ...Object.entries(functions).map(([id, fn]) =>
          Match.objectLike({
            Id: id,
            MetricStat: Match.objectLike({
              Metric: { Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack, fn.lambdaFunction) } }] },
              Stat: 'Sum',
            }),
          }),
        ),
      ]),
    });
  });

  it('alarm on each model’s upstream error rate, from the gateway’s Errors and Requests with the emitted dimensions', () => {
    const modelMetric = (name: MetricName, model: string) =>
      Match.objectLike({
        Id: name.toLowerCase(),
        MetricStat: {
          Metric: { Namespace: 'Tollway', MetricName: name, Dimensions: [{ Name: 'model', Value: model }, { Name: 'service', Value: gatewayServiceName }] },
          Period: 300,
          Stat: 'Sum',
        },
      });
    for (const model of modelNames) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `Tollway-upstream-error-rate-${model}`,
        Threshold: upstreamErrorRatePercent,
        ComparisonOperator: 'GreaterThanThreshold',
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: `IF(requests >= ${minimumRequestsForRate}, 100 * FILL(errors, 0) / requests, 0)`, ReturnData: true }),
          modelMetric('Requests', model),
          modelMetric('Errors', model),
        ]),
      });
    }
  });

  it('alarm on each model’s p99 latency staying high', () => {
    for (const model of modelNames) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `Tollway-latency-p99-${model}`,
        Namespace: 'Tollway',
        MetricName: 'Latency',
        Dimensions: [{ Name: 'model', Value: model }, { Name: 'service', Value: gatewayServiceName }],
        ExtendedStatistic: 'p99',
        Period: 300,
        Threshold: latencyP99ThresholdMs,
        EvaluationPeriods: latencyEvaluationPeriods,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('watch the service dimension value the functions emit', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as { Properties: { Environment: { Variables: Record<string, unknown> } } }[];
    expect(functions).toHaveLength(4);
    for (const fn of functions) expect(fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe(gatewayServiceName);
  });
});

describe('the alarm topic', () => {
  it('has no subscription without an alarm email', () => {
    const { template } = synthesize();
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('mails settings.alarm_email when set', () => {
    const { stack, template } = synthesize({ alarm_email: 'oncall@example.com' });
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: logicalId(stack, stack.observability.alarmTopic) },
    });
  });
});

describe('the Logs Insights saved queries', () => {
  let stack: TollwayStack;
  let template: Template;
  const logGroupRef = (fn: { logGroup: IConstruct }) => ({ Ref: logicalId(stack, fn.logGroup) });

  beforeAll(() => {
    ({ stack, template } = synthesize());
  });

  it('sum spend by key over the completion lines of the chat function', () => {
    template.hasResourceProperties('AWS::Logs::QueryDefinition', {
      Name: 'Tollway/Spend by key',
      QueryString: [
        'filter message = "completion"',
        '| stats sum(costUsd) as spendUsd, count(*) as requests, sum(outputTokens) as outputTokens by keyId',
        '| sort spendUsd desc',
        '| limit 100',
      ].join('\n'),
      LogGroupNames: [logGroupRef(stack.functions.chat)],
    });
  });

  it('count the top errors of every function', () => {
    template.hasResourceProperties('AWS::Logs::QueryDefinition', {
      Name: 'Tollway/Top errors',
      QueryString: [
        'fields coalesce(errorCode, error, level) as problem',
        '| filter outcome = "error" or level = "ERROR"',
        '| stats count(*) as occurrences by message, problem',
        '| sort occurrences desc',
        '| limit 25',
      ].join('\n'),
      LogGroupNames: [stack.functions.chat, stack.functions.mcp, stack.functions.retrieve, stack.functions.admin].map(logGroupRef),
    });
  });

  it('list the slowest completions with their key, model, timings, tokens and cost', () => {
    template.hasResourceProperties('AWS::Logs::QueryDefinition', {
      Name: 'Tollway/Slowest requests',
      QueryString: Match.stringLikeRegexp(
        /^fields @timestamp, requestId, keyId, teamId, model, servedModel, .*latencyMs, timeToFirstTokenMs, overheadMs, .*costUsd\n\| filter message = "completion"\n\| sort latencyMs desc\n\| limit 50$/
          .source,
      ),
      LogGroupNames: [logGroupRef(stack.functions.chat)],
    });
  });
});

describe('tracing', () => {
  it('is active on every function and enabled on the API stage', () => {
    const { template } = synthesize();
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(4);
    for (const fn of functions) expect(fn).toMatchObject({ Properties: { TracingConfig: { Mode: 'Active' } } });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod', TracingEnabled: true });
  });
});

describe('Tollway metrics on the dashboard and in alarms', () => {
  it('refuse, at synth time, a metric the code does not define', () => {
    expect(() => tollwayMetric('Requets' as MetricName, 'Sum', 'model')).toThrow(/"Requets" is not a Tollway metric/);
    expect(() => tollwayMetricFor('Tokens' as MetricName, 'Sum', 'model', 'echo')).toThrow(/not a Tollway metric/);
  });

  it('refuse a dimension the metric is not emitted with', () => {
    expect(() => tollwayMetric('Errors', 'Sum', 'team')).toThrow(/"Errors" is not emitted by team/);
    expect(() => tollwayMetricFor('ToolCalls', 'Sum', 'model', 'echo')).toThrow(/not emitted by model/);
  });
});

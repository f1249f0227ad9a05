import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { FunctionName } from '../../functions/core/routes.js';
import { metricPeriod, tollwayMetricFor } from './tollway-metrics.js';

/** Percent of API requests answered 5xx in five minutes: past this, clients see the gateway as broken. */
export const apiServerErrorRatePercent = 5;

/** Percent of a model's admitted requests that failed upstream in five minutes, after retries and fallbacks. */
export const upstreamErrorRatePercent = 10;

/**
 * Requests a five-minute window needs before a rate alarms: one failure out of
 * two requests is noise, not an outage.
 */
export const minimumRequestsForRate = 10;

/**
 * p99 of a model's request latency, arrival to last byte. Streamed generations
 * legitimately run for minutes, so this catches hung upstreams and runaway
 * retries rather than long answers; lower it for chat-only, short-answer use.
 */
export const latencyP99ThresholdMs = 120_000;

/** Consecutive five-minute periods the p99 must stay high: a single long answer should not page anyone. */
export const latencyEvaluationPeriods = 3;

/** Any throttle means a request was refused for concurrency: alarm on the first. */
export const lambdaThrottlesThreshold = 0;

export interface GatewayAlarmsProps {
  functions: Record<FunctionName, IFunction>;
  stage: Stage;
  /** Every configured model name: the `model` dimension values the gateway emits. */
  models: readonly string[];
  topic: ITopic;
}

/**
 * The gateway's alarms, each notifying the topic on ALARM and on recovery:
 * API 5xx rate, Lambda throttles, and per configured model the upstream error
 * rate and p99 latency (alarms cannot use SEARCH, so each watches one model's
 * fixed dimensions).
 */
export class GatewayAlarms extends Construct {
  public readonly alarms: Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: GatewayAlarmsProps) {
    super(scope, id);
    this.action = new SnsAction(props.topic);
    const { stage, functions } = props;
    const prefix = Stack.of(this).stackName;
    const period = metricPeriod;

    this.add(
      new Alarm(this, 'ApiServerErrorRate', {
        alarmName: `${prefix}-api-5xx-rate`,
        alarmDescription: `More than ${apiServerErrorRatePercent}% of API requests on stage ${stage.stageName} answered 5xx over 5 minutes.`,
        metric: new MathExpression({
          expression: `IF(requests >= ${minimumRequestsForRate}, 100 * FILL(serverErrors, 0) / requests, 0)`,
          usingMetrics: {
            requests: stage.metricCount({ statistic: 'Sum', period }),
            serverErrors: stage.metricServerError({ statistic: 'Sum', period }),
          },
          label: 'API 5xx rate (%)',
          period,
        }),
        threshold: apiServerErrorRatePercent,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    const throttles = Object.fromEntries((Object.entries(functions) as [FunctionName, IFunction][]).map(([name, fn]) => [name, fn.metricThrottles({ statistic: 'Sum', period })]));
    this.add(
      new Alarm(this, 'LambdaThrottles', {
        alarmName: `${prefix}-lambda-throttles`,
        alarmDescription: `A gateway function (${Object.keys(throttles).join(', ')}) was throttled: raise its reserved or the account's concurrency.`,
        metric: new MathExpression({
          expression: `SUM([${Object.keys(throttles)
            .map((name) => `FILL(${name}, 0)`)
            .join(', ')}])`,
          usingMetrics: throttles,
          label: 'Lambda throttles',
          period,
        }),
        threshold: lambdaThrottlesThreshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    for (const model of props.models) {
      this.add(
        new Alarm(this, `UpstreamErrorRate-${model}`, {
          alarmName: `${prefix}-upstream-error-rate-${model}`,
          alarmDescription: `More than ${upstreamErrorRatePercent}% of requests to model "${model}" failed over 5 minutes (at least ${minimumRequestsForRate} requests).`,
          metric: new MathExpression({
            expression: `IF(requests >= ${minimumRequestsForRate}, 100 * FILL(errors, 0) / requests, 0)`,
            usingMetrics: {
              requests: tollwayMetricFor('Requests', 'Sum', 'model', model),
              errors: tollwayMetricFor('Errors', 'Sum', 'model', model),
            },
            label: `${model} error rate (%)`,
            period,
          }),
          threshold: upstreamErrorRatePercent,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
      this.add(
        new Alarm(this, `LatencyP99-${model}`, {
          alarmName: `${prefix}-latency-p99-${model}`,
          alarmDescription: `p99 latency of model "${model}" above ${Duration.millis(latencyP99ThresholdMs).toSeconds()} s for ${latencyEvaluationPeriods} consecutive 5-minute periods.`,
          metric: tollwayMetricFor('Latency', 'p99', 'model', model),
          threshold: latencyP99ThresholdMs,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: latencyEvaluationPeriods,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
  }

  private add(alarm: Alarm): void {
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}

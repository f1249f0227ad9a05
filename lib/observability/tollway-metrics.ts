import { serviceName } from '../../functions/handlers/environment.js';
import { Duration } from 'aws-cdk-lib';
import { Metric, SearchExpression } from 'aws-cdk-lib/aws-cloudwatch';
import { metricDefinitions, metricNamespace, type DimensionName, type MetricName, type MetricUnit } from '../../functions/core/metrics.js';

/**
 * The `service` dimension Powertools Metrics adds to every EMF record, and its
 * value: the functions' `POWERTOOLS_SERVICE_NAME` (one shared constant). A
 * Tollway metric in CloudWatch therefore has the dimensions
 * `{service, <one dimension set>}`, never the set alone.
 */
export const serviceDimension = 'service';
export const gatewayServiceName = serviceName;

/**
 * Emitted by Powertools' logMetrics middleware (`captureColdStartMetric`), not
 * by the gateway, so it is not in `metricDefinitions`; its dimensions are
 * `{service, function_name}`.
 */
export const coldStartMetric = { name: 'ColdStart', dimension: 'function_name' } as const;

export type TollwayStatistic = 'Sum' | 'Average' | 'Maximum' | 'p50' | 'p90' | 'p99';

/** Graph and alarm period: EMF stores one-minute data; five minutes smooths bursty gateway traffic. */
export const metricPeriod = Duration.minutes(5);

/** Refuses, at synth time, a metric the code does not define or a dimension it is not emitted with. */
const checkedDefinition = (name: MetricName, dimension: DimensionName) => {
  if (!Object.hasOwn(metricDefinitions, name)) throw new Error(`"${name}" is not a Tollway metric: add it to functions/core/metrics.ts first.`);
  const definition = metricDefinitions[name];
  const sets: readonly (readonly DimensionName[])[] = definition.dimensionSets;
  if (!sets.some((set) => set.length === 1 && set[0] === dimension)) {
    throw new Error(`Tollway metric "${name}" is not emitted by ${dimension}; its dimension sets are ${JSON.stringify(sets)}.`);
  }
  return definition;
};

/** A dynamic label naming each series found by a SEARCH by its dimension value. */
const dimensionLabel = (dimension: string): string => `\${PROP('Dim.${dimension}')}`;

const defaultPrefix = (name: string, statistic: TollwayStatistic): string => (statistic === 'Sum' ? name : `${name} ${statistic}`);

/**
 * One Tollway metric split by one dimension, as a SEARCH over the exact
 * dimension set the EMF records carry: a line per model, team, MCP server or
 * knowledge base, including ones created after the deploy. The expression
 * leaves out the period so the graph's (auto-adjusted) period applies.
 */
export const tollwayMetric = (name: MetricName, statistic: TollwayStatistic, dimension: DimensionName, labelPrefix = defaultPrefix(name, statistic)): SearchExpression => {
  checkedDefinition(name, dimension);
  return new SearchExpression({
    expression: `SEARCH('{${metricNamespace},${serviceDimension},${dimension}} MetricName="${name}"', '${statistic}')`,
    label: `${labelPrefix} ${dimensionLabel(dimension)}`,
    period: metricPeriod,
  });
};

/** Powertools' cold-start count per function, found by SEARCH like the gateway's metrics. */
export const coldStartsByFunction = (): SearchExpression =>
  new SearchExpression({
    expression: `SEARCH('{${metricNamespace},${serviceDimension},${coldStartMetric.dimension}} MetricName="${coldStartMetric.name}"', 'Sum')`,
    label: dimensionLabel(coldStartMetric.dimension),
    period: metricPeriod,
  });

/**
 * One Tollway metric for one known dimension value (a configured model, say),
 * with fixed dimensions: what an alarm needs, since alarms cannot use SEARCH.
 */
export const tollwayMetricFor = (name: MetricName, statistic: TollwayStatistic, dimension: DimensionName, value: string): Metric => {
  checkedDefinition(name, dimension);
  return new Metric({
    namespace: metricNamespace,
    metricName: name,
    dimensionsMap: { [serviceDimension]: gatewayServiceName, [dimension]: value },
    statistic,
    period: metricPeriod,
  });
};

/** The unit of a graph whose series are the given metrics; they must agree, so one axis can carry them. */
export const sharedUnit = (names: readonly MetricName[]): MetricUnit => {
  const units = new Set(names.map((name) => metricDefinitions[name].unit));
  if (units.size !== 1) throw new Error(`One graph axis cannot mix units: ${names.join(', ')} have ${[...units].join(', ')}.`);
  return [...units][0];
};

const axisLabels: Record<MetricUnit, string | undefined> = { Count: 'count', Milliseconds: 'ms', None: undefined };

/** The y-axis label for a metric unit (none for unitless values such as USD). */
export const axisLabel = (unit: MetricUnit): string | undefined => axisLabels[unit];

import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { metricDefinitions, type GatewayMetrics, type MetricName } from '../core/metrics.js';

const units: Record<(typeof metricDefinitions)[MetricName]['unit'], (typeof MetricUnit)[keyof typeof MetricUnit]> = {
  Count: MetricUnit.Count,
  Milliseconds: MetricUnit.Milliseconds,
  None: MetricUnit.NoUnit,
};

interface Pending {
  dimensions: Record<string, string>;
  values: Array<[MetricName, number]>;
}

/**
 * The metrics port on Powertools Metrics: records made in the same tick with
 * the same dimensions become one EMF line (a completion's dozen metrics cost
 * two lines, by model and by team), published right away so streamed
 * responses do not wait for the invocation to end.
 */
export const createEmfMetrics = (powertools: Metrics): GatewayMetrics => {
  const pending = new Map<string, Pending>();
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    for (const { dimensions, values } of pending.values()) {
      powertools.addDimensions(dimensions);
      for (const [name, value] of values) powertools.addMetric(name, units[metricDefinitions[name].unit], value);
      powertools.publishStoredMetrics();
    }
    pending.clear();
  };

  return {
    record(name, value, dimensions) {
      const entries = Object.entries(dimensions as Record<string, string>).sort(([left], [right]) => left.localeCompare(right));
      const groupKey = JSON.stringify(entries);
      const group = pending.get(groupKey) ?? { dimensions: Object.fromEntries(entries), values: [] };
      group.values.push([name, value]);
      pending.set(groupKey, group);
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(flush);
      }
    },
  };
};

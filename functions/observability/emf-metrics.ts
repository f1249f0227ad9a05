import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { metricDefinitions, type GatewayMetrics, type MetricName } from '../core/metrics.js';
import { currentRequestScope } from './request-scope.js';

const units: Record<(typeof metricDefinitions)[MetricName]['unit'], (typeof MetricUnit)[keyof typeof MetricUnit]> = {
  Count: MetricUnit.Count,
  Milliseconds: MetricUnit.Milliseconds,
  None: MetricUnit.NoUnit,
};

interface Pending {
  dimensions: Record<string, string>;
  values: Array<[MetricName, number]>;
}

/** The EMF property naming the request a line's values belong to (a property, not a dimension: one per request). */
export const requestIdProperty = 'request_id';

/**
 * The metrics port on Powertools Metrics: records one request makes in the
 * same tick with the same dimensions become one EMF line (a completion's
 * dozen metrics cost two lines, by model and by team), published right away
 * so streamed responses do not wait for the invocation to end. Requests never
 * share a line: records are grouped by the request scope they were made in
 * (`runInRequestScope`), and each line names its request in `request_id`, so
 * concurrent requests in one execution environment (Lambda Managed Instances)
 * or one local server keep their values apart.
 */
export const createEmfMetrics = (powertools: Metrics): GatewayMetrics => {
  /** Pending lines by request id ('' outside any request scope), then by dimensions. */
  const pendingByRequest = new Map<string, Map<string, Pending>>();

  // Synchronous from the first addDimensions to publishStoredMetrics: no other request's records can interleave.
  const flush = (requestId: string) => {
    const pending = pendingByRequest.get(requestId);
    pendingByRequest.delete(requestId);
    for (const { dimensions, values } of pending?.values() ?? []) {
      powertools.addDimensions(dimensions);
      for (const [name, value] of values) powertools.addMetric(name, units[metricDefinitions[name].unit], value);
      if (requestId) powertools.addMetadata(requestIdProperty, requestId);
      powertools.publishStoredMetrics();
    }
  };

  return {
    record(name, value, dimensions) {
      const requestId = currentRequestScope()?.requestId ?? '';
      let pending = pendingByRequest.get(requestId);
      if (!pending) {
        pending = new Map();
        pendingByRequest.set(requestId, pending);
        queueMicrotask(() => flush(requestId));
      }
      const entries = Object.entries(dimensions as Record<string, string>).sort(([left], [right]) => left.localeCompare(right));
      const groupKey = JSON.stringify(entries);
      const group = pending.get(groupKey) ?? { dimensions: Object.fromEntries(entries), values: [] };
      group.values.push([name, value]);
      pending.set(groupKey, group);
    },
  };
};

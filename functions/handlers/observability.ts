/**
 * Powertools for the Lambda handlers: one logger, metrics and tracer per
 * execution environment (service and namespace from POWERTOOLS_* variables),
 * and the middy middleware that wires them to each invocation.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { GatewayLogger } from '../core/logger.js';
import { metricNamespace } from '../core/metrics.js';
import { createEmfMetrics } from '../observability/emf-metrics.js';

export const logger = new Logger();
/** Application metrics are published per request by `gatewayMetrics`; an empty flush at the end is expected, not worth a warning. */
const quietLogger = { ...console, warn: (message: string, ...rest: unknown[]) => (String(message).startsWith('No application metrics') ? undefined : logger.warn(String(message), ...(rest as []))) };
export const metrics = new Metrics({ logger: quietLogger, namespace: metricNamespace });
export const tracer = new Tracer();
/** The core's metrics port, as EMF through Powertools. */
export const gatewayMetrics = createEmfMetrics(metrics);

/** The core's logging port on Powertools Logger, so its lines carry the invocation's context. */
export const gatewayLogger: GatewayLogger = {
  info: (message, fields) => (fields ? logger.info(message, fields) : logger.info(message)),
  warn: (message, fields) => (fields ? logger.warn(message, fields) : logger.warn(message)),
  error: (message, fields) => (fields ? logger.error(message, fields) : logger.error(message)),
};

/** Tracing, logger context and metrics flushing, outermost first. */
export const observabilityMiddleware = (): MiddlewareObj[] => [
  // Responses carry generated keys and completions: never copied into traces.
  captureLambdaHandler(tracer, { captureResponse: false }),
  injectLambdaContext(logger),
  logMetrics(metrics, { captureColdStartMetric: true }),
];

/** Publishes metrics recorded after the middleware flushed (while a streamed body was written). */
export const publishLateMetrics = (): void => {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
};

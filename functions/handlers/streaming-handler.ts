/**
 * A streamed Lambda handler serving one function's routes of the route table:
 * middy's `streamifyResponse` writes the returned status and headers as the
 * HTTP prelude, pipes the body to the client, and only then settles the
 * request's background work (usage records, holds) and late metrics. The
 * whole invocation runs in its request's scope: on Lambda Managed Instances
 * many invocations share the module at once.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { FunctionName } from '../core/routes.js';
import { keepEventStreamAlive } from '../http/sse-keep-alive.js';
import { BackgroundTasks, isStreamedRoute, settlementReserveMs, toBufferedResult, toStreamedResult, type StreamedResult } from './lambda-host.js';
import { lambdaGateway, settleBackgroundTasks, type ComposeGateway } from './lambda-runtime.js';
import { runInRequestScope } from '../observability/request-scope.js';
import { logger, observabilityMiddleware, publishLateMetrics } from './observability.js';

export interface StreamingHandlerOptions {
  /**
   * Event streams get a keep-alive comment after this much quiet (API
   * Gateway's idle limit is 5 minutes) and end cleanly a little before the
   * invocation's deadline; absent, event streams pass as they are.
   */
  keepAliveMs?: number;
}

/** Time between the clean end of a kept-alive stream and the invocation's request deadline. */
const streamEndMarginMs = 5_000;

type StreamingInvocation = (event: APIGatewayProxyEvent, responseStream: unknown, context: Context) => Promise<void>;

/** A streamed handler for `functionName`, with the gateway `compose` builds. */
export const streamingHandler = (functionName: FunctionName, compose: ComposeGateway, options: StreamingHandlerOptions = {}): StreamingInvocation => {
  const serveEvent = lambdaGateway(functionName, compose);
  /** Each invocation's background work, found again at its end through its Lambda context. */
  const tasksByInvocation = new WeakMap<Context, BackgroundTasks>();

  const serve = async (event: APIGatewayProxyEvent, context: Context): Promise<StreamedResult | string> => {
    const tasks = new BackgroundTasks();
    tasksByInvocation.set(context, tasks);
    const response = await serveEvent(event, context, tasks);
    if (isStreamedRoute(event)) return toStreamedResult(withKeepAlive(response, context, tasks));
    // A buffered integration calls this (streaming) function through the plain
    // Invoke API, which gives API Gateway the bytes written to the stream: so
    // the bytes must be the proxy-result JSON itself, with no HTTP prelude.
    return JSON.stringify(await toBufferedResult(response));
  };

  const withKeepAlive = (response: Response, context: Context, tasks: BackgroundTasks): Response => {
    const { keepAliveMs } = options;
    if (!keepAliveMs || !response.body || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) return response;
    const ending = new AbortController();
    const timer = setTimeout(() => ending.abort(), Math.max(0, context.getRemainingTimeInMillis() - settlementReserveMs - streamEndMarginMs));
    timer.unref?.();
    tasks.onSettled(() => clearTimeout(timer));
    const body = keepEventStreamAlive(response.body, { intervalMs: keepAliveMs, endSignal: ending.signal });
    return new Response(body, { status: response.status, headers: response.headers });
  };

  const finishInvocation = async (context: Context): Promise<void> => {
    const tasks = tasksByInvocation.get(context);
    tasksByInvocation.delete(context);
    if (tasks) await settleBackgroundTasks(tasks);
    publishLateMetrics();
  };

  const invocation = middy<APIGatewayProxyEvent, StreamedResult | string, Error, Context>({ streamifyResponse: true })
    .use(observabilityMiddleware())
    .handler(serve) as unknown as StreamingInvocation;

  /** The Lambda runtime's global: marks a handler as streaming its response. */
  const { awslambda } = globalThis as unknown as { awslambda: { streamifyResponse: (handler: StreamingInvocation) => StreamingInvocation } };

  // Outside middy, so the streamed body middy pipes after `serve` returns, and the settlement, stay in the scope too;
  // the settlement runs even when the client went away and the pipe failed.
  return awslambda.streamifyResponse((event, responseStream, context) =>
    runInRequestScope(context.awsRequestId, async () => {
      try {
        await invocation(event, responseStream, context);
      } catch (error) {
        logger.warn('the streamed response ended early', { error: error instanceof Error ? error.message : String(error) });
      } finally {
        await finishInvocation(context);
      }
    }),
  );
};

/**
 * Lambda entry point for the chat routes (completions, models). Streamed:
 * middy's `streamifyResponse` writes the returned status and headers as the
 * HTTP prelude, pipes the body to the client, and only then runs
 * `requestEnd`, where the request's background work (usage records) and the
 * metrics it recorded are settled before the invocation returns. The whole
 * invocation runs in its request's scope: on Lambda Managed Instances many
 * invocations share this module at once.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { createChatRuntime } from '../runtime/chat-runtime.js';
import { BackgroundTasks, isStreamedRoute, toBufferedResult, toStreamedResult, type StreamedResult } from './lambda-host.js';
import { lambdaGateway, settleBackgroundTasks } from './lambda-runtime.js';
import { runInRequestScope } from '../observability/request-scope.js';
import { observabilityMiddleware, publishLateMetrics } from './observability.js';

const serveEvent = lambdaGateway('chat', createChatRuntime);

/** Each invocation's background work, found again in `requestEnd` through its Lambda context. */
const tasksByInvocation = new WeakMap<Context, BackgroundTasks>();

const serve = async (event: APIGatewayProxyEvent, context: Context): Promise<StreamedResult | string> => {
  const tasks = new BackgroundTasks();
  tasksByInvocation.set(context, tasks);
  const response = await serveEvent(event, context, tasks);
  if (isStreamedRoute(event)) return toStreamedResult(response);
  // A buffered integration calls this (streaming) function through the plain
  // Invoke API, which gives API Gateway the bytes written to the stream: so
  // the bytes must be the proxy-result JSON itself, with no HTTP prelude.
  return JSON.stringify(await toBufferedResult(response));
};

const finishInvocation = async (request: middy.Request<APIGatewayProxyEvent, unknown, Error, Context>): Promise<void> => {
  const tasks = tasksByInvocation.get(request.context);
  if (tasks) await settleBackgroundTasks(tasks);
  publishLateMetrics();
};

const invocation = middy<APIGatewayProxyEvent, StreamedResult | string, Error, Context>({
  streamifyResponse: true,
  requestEnd: finishInvocation,
})
  .use(observabilityMiddleware())
  .handler(serve);

type StreamingInvocation = (event: APIGatewayProxyEvent, responseStream: unknown, context: Context) => Promise<void>;
/** The Lambda runtime's global: marks a handler as streaming its response. */
const { awslambda } = globalThis as unknown as { awslambda: { streamifyResponse: (handler: StreamingInvocation) => StreamingInvocation } };

// Outside middy, so the streamed body middy pipes after `serve` returns, and `requestEnd`, stay in the scope too.
export const handler = awslambda.streamifyResponse((event, responseStream, context) =>
  runInRequestScope(context.awsRequestId, () => (invocation as unknown as StreamingInvocation)(event, responseStream, context)),
);

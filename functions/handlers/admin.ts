/** Lambda entry point for the admin routes (keys, teams, spend, health). Buffered. */
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { BackgroundTasks, toBufferedResult } from './lambda-host.js';
import { serveEvent, settleBackgroundTasks } from './lambda-runtime.js';
import { observabilityMiddleware } from './observability.js';

const serve = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
  const tasks = new BackgroundTasks();
  const result = await toBufferedResult(await serveEvent('admin', event, context, tasks));
  // A buffered function is frozen as soon as it returns: finish the work first.
  await settleBackgroundTasks(tasks);
  return result;
};

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
  .use(observabilityMiddleware())
  .handler(serve);

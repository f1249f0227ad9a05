import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { FunctionName } from '../core/routes.js';
import { BackgroundTasks, toBufferedResult } from './lambda-host.js';
import { serveEvent, settleBackgroundTasks } from './lambda-runtime.js';
import { observabilityMiddleware } from './observability.js';

/** A buffered (non-streaming) Lambda handler serving one function's routes of the route table. */
export const bufferedHandler = (functionName: FunctionName) =>
  middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(observabilityMiddleware())
    .handler(async (event, context) => {
      const tasks = new BackgroundTasks();
      const result = await toBufferedResult(await serveEvent(functionName, event, context, tasks));
      // A buffered function is frozen as soon as it returns: finish the work first.
      await settleBackgroundTasks(tasks);
      return result;
    });

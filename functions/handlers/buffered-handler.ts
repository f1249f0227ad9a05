import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { FunctionName } from '../core/routes.js';
import { BackgroundTasks, toBufferedResult } from './lambda-host.js';
import { lambdaGateway, settleBackgroundTasks, type ComposeGateway } from './lambda-runtime.js';
import { observabilityMiddleware } from './observability.js';

/** A buffered (non-streaming) Lambda handler serving one function's routes of the route table, with the gateway `compose` builds. */
export const bufferedHandler = (functionName: FunctionName, compose: ComposeGateway) => {
  const serveEvent = lambdaGateway(functionName, compose);
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(observabilityMiddleware())
    .handler(async (event, context) => {
      const tasks = new BackgroundTasks();
      const result = await toBufferedResult(await serveEvent(event, context, tasks));
      // A buffered function is frozen as soon as it returns: finish the work first.
      await settleBackgroundTasks(tasks);
      return result;
    });
};

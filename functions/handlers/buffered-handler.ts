import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { FunctionName } from '../core/routes.js';
import { BackgroundTasks, toBufferedResult } from './lambda-host.js';
import { lambdaGateway, settleBackgroundTasks, type ComposeGateway } from './lambda-runtime.js';
import { runInRequestScope } from '../observability/request-scope.js';
import { observabilityMiddleware } from './observability.js';

/** A buffered (non-streaming) Lambda handler serving one function's routes of the route table, with the gateway `compose` builds. */
export const bufferedHandler = (functionName: FunctionName, compose: ComposeGateway) => {
  const serveEvent = lambdaGateway(functionName, compose);
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(observabilityMiddleware())
    .handler((event, context) =>
      // Each invocation's work in its own request scope: a managed-instances environment runs many at once.
      runInRequestScope(context.awsRequestId, async () => {
        const tasks = new BackgroundTasks();
        const result = await toBufferedResult(await serveEvent(event, context, tasks));
        // A buffered function is frozen as soon as it returns: finish the work first.
        await settleBackgroundTasks(tasks);
        return result;
      }),
    );
};

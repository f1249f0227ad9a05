import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  Cors,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseTransferMode,
  ResponseType,
  RestApi,
  type CorsOptions,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routes, type FunctionName, type Route } from '../functions/core/routes.js';

/**
 * Stage-wide throttle. Per-key rpm/tpm limits live in the gateway; this only
 * caps the stage so a runaway client cannot exhaust the account's Lambda
 * concurrency. Raise both with the account's concurrency.
 */
const throttleRatePerSecond = 100;
const throttleBurst = 200;

/**
 * API Gateway allows a streamed integration up to 15 minutes (the Lambda
 * maximum as well); buffered integrations keep the default 29 seconds.
 */
const streamingIntegrationTimeout = Duration.minutes(15);

/** API Gateway's own errors in the OpenAI envelope the gateway uses everywhere else. */
const errorEnvelope = (type: string, code: string | null): Record<string, string> => ({
  'application/json': `{"error":{"message":$context.error.messageString,"type":"${type}","param":null,"code":${code === null ? 'null' : `"${code}"`}}}`,
});

export interface GatewayApiProps {
  /** The functions named in the route table. */
  functions: Record<FunctionName, IFunction>;
  /** Browser origins allowed to call the API; no preflight routes when empty. */
  corsOrigins: string[];
}

/** The REST API: one method per route of the route table, streamed where the table says so. */
export class GatewayApi extends Construct {
  public readonly api: RestApi;
  /** The stage URL, ending in `/`. */
  public readonly url: string;
  /** One line per request: who called what, when, with what status (never headers or bodies). */
  public readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: GatewayApiProps) {
    super(scope, id);
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      // An audit trail: kept as long as usage records are by default.
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new RestApi(this, 'Api', {
      restApiName: 'tollway',
      description: 'Tollway LLM gateway (OpenAI-compatible)',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      deployOptions: {
        stageName: 'prod',
        throttlingRateLimit: throttleRatePerSecond,
        throttlingBurstLimit: throttleBurst,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: MethodLoggingLevel.INFO,
        // Request and response bodies hold prompts and keys: never logged.
        dataTraceEnabled: false,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        // Standard fields only: request id, source IP, method, path, protocol, status, size, time.
        accessLogFormat: AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: false,
        }),
      },
      defaultCorsPreflightOptions: props.corsOrigins.length > 0 ? corsOptions(props.corsOrigins) : undefined,
    });

    const integrations = new Map<string, LambdaIntegration>();
    const integrationFor = (route: Route): LambdaIntegration => {
      const cacheKey = `${route.function}:${route.streaming}`;
      let integration = integrations.get(cacheKey);
      if (!integration) {
        integration = new LambdaIntegration(props.functions[route.function], {
          proxy: true,
          // One invoke permission per function for this API, rather than two per
          // method: the function's resource policy is capped at 20 KB.
          scopePermissionToMethod: false,
          ...(route.streaming ? { responseTransferMode: ResponseTransferMode.STREAM, timeout: streamingIntegrationTimeout } : {}),
        });
        integrations.set(cacheKey, integration);
      }
      return integration;
    };

    for (const route of routes) {
      // Auth is the gateway's (virtual keys, master key), not API Gateway's.
      this.api.root.resourceForPath(route.path).addMethod(route.method, integrationFor(route), { operationName: route.operation });
    }

    this.api.addGatewayResponse('UnknownRoute', {
      // What API Gateway answers for a path or method it has no resource for.
      type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
      statusCode: '404',
      templates: errorEnvelope('not_found_error', 'route_not_found'),
    });
    this.api.addGatewayResponse('Throttled', {
      type: ResponseType.THROTTLED,
      statusCode: '429',
      templates: errorEnvelope('rate_limit_error', 'rate_limit_exceeded'),
    });
    this.api.addGatewayResponse('Client', { type: ResponseType.DEFAULT_4XX, templates: errorEnvelope('invalid_request_error', null) });
    this.api.addGatewayResponse('Server', { type: ResponseType.DEFAULT_5XX, templates: errorEnvelope('server_error', null) });

    this.url = this.api.url;
  }
}

const corsOptions = (origins: string[]): CorsOptions => ({
  allowOrigins: origins,
  allowHeaders: [...Cors.DEFAULT_HEADERS, 'x-api-key'],
  allowMethods: [...new Set(routes.map((route) => route.method))],
});

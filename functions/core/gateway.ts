import { authenticateKey, authenticateMaster } from './auth/authenticate.js';
import { KeyCache } from './auth/key-cache.js';
import { chatCompletions } from './chat/chat-completions.js';
import type { TollwayConfig } from './config/schema.js';
import { GatewayError } from './errors.js';
import type { Gateway, RequestContext } from './gateway-types.js';
import { KeyAdmin } from './keys/key-admin.js';
import type { KeyRecord, KeyStore } from './keys/key-record.js';
import { describeError, type GatewayLogger } from './logger.js';
import type { ModelCatalog } from './model-catalog.js';
import { matchRoute, type FunctionName, type Operation, type Route } from './routes.js';
import type { UsageStore } from './usage/usage-record.js';
import { readJsonObject } from '../http/read-body.js';
import { errorResponse, jsonResponse } from '../http/responses.js';

export interface GatewayDependencies {
  config: TollwayConfig;
  catalog: ModelCatalog;
  keyStore: KeyStore;
  usageStore: UsageStore;
  masterKey: () => Promise<string>;
  logger: GatewayLogger;
  /** Serve only this Lambda function's routes (all when absent). */
  functionName?: FunctionName;
  now?: () => Date;
}

interface OperationInput {
  request: Request;
  url: URL;
  params: Record<string, string>;
  context: RequestContext;
  /** Set on routes with `auth: 'key'`. */
  key?: KeyRecord;
  arrivedAt: number;
}

type OperationHandler = (input: OperationInput) => Promise<Response>;

/** Builds the gateway core: routing, authentication and the operations, behind web-standard Request/Response. */
export const createGateway = (dependencies: GatewayDependencies): Gateway => {
  const now = dependencies.now ?? (() => new Date());
  const keyCache = new KeyCache(dependencies.keyStore, dependencies.config.settings.key_cache_ttl_seconds * 1000, () => now().getTime());
  const keyAdmin = new KeyAdmin(dependencies.keyStore, keyCache, now);
  const maxBodyBytes = dependencies.config.settings.max_body_bytes;
  const chatDependencies = { ...dependencies, now };

  const operations: Record<Operation, OperationHandler> = {
    'chat.completions': ({ request, key, context, arrivedAt }) => chatCompletions(request, requireKey(key), context, arrivedAt, chatDependencies),
    'models.list': async ({ key }) => jsonResponse(200, listModels(dependencies.catalog, requireKey(key))),
    'key.generate': async ({ request }) => jsonResponse(200, await keyAdmin.generate(await readJsonObject(request, maxBodyBytes))),
    'key.update': async ({ request }) => jsonResponse(200, await keyAdmin.update(await readJsonObject(request, maxBodyBytes))),
    'key.delete': async ({ request }) => jsonResponse(200, await keyAdmin.delete(await readJsonObject(request, maxBodyBytes))),
    'key.info': async ({ url }) => jsonResponse(200, await keyAdmin.info(url.searchParams)),
    'key.list': async ({ url }) => jsonResponse(200, await keyAdmin.list(url.searchParams)),
    health: async () => jsonResponse(200, { status: 'ok' }),
  };

  const authorize = async (route: Route, request: Request): Promise<KeyRecord | undefined> => {
    if (route.auth === 'none') return undefined;
    if (route.auth === 'master') {
      await authenticateMaster(request.headers, dependencies.masterKey);
      return undefined;
    }
    return authenticateKey(request.headers, keyCache, now());
  };

  return {
    async handle(request, context) {
      const arrivedAt = performance.now();
      let response: Response;
      try {
        const url = new URL(request.url);
        const route = findRoute(request.method, url.pathname, dependencies.functionName);
        const key = await authorize(route.route, request);
        response = await operations[route.route.operation]({ request, url, params: route.params, context, key, arrivedAt });
      } catch (error) {
        if (!(error instanceof GatewayError)) {
          dependencies.logger.error('unhandled error', { requestId: context.requestId, ...describeError(error) });
        }
        response = errorResponse(error);
      }
      response.headers.set('x-request-id', context.requestId);
      return response;
    },
  };
};

const findRoute = (method: string, path: string, functionName: FunctionName | undefined) => {
  const { match, allowedMethods } = matchRoute(method, path);
  if (match && (!functionName || match.route.function === functionName)) return match;
  if (!match && allowedMethods.length > 0) {
    throw new GatewayError(405, `Method ${method} is not allowed on ${path}.`, {
      type: 'invalid_request_error',
      code: 'method_not_allowed',
      headers: { allow: allowedMethods.join(', ') },
    });
  }
  throw new GatewayError(404, `Unknown route ${method} ${path}.`, { code: 'route_not_found' });
};

const requireKey = (key: KeyRecord | undefined): KeyRecord => {
  if (!key) throw new GatewayError(401, 'Missing API key.', { code: 'invalid_api_key' });
  return key;
};

/** `GET /v1/models`: the models this key may use. */
const listModels = (catalog: ModelCatalog, key: KeyRecord) => ({
  object: 'list' as const,
  data: catalog
    .names()
    .filter((name) => key.models.length === 0 || key.models.includes(name))
    .map((name) => ({ id: name, object: 'model' as const, created: 0, owned_by: catalog.deployments(name)?.[0]?.config.provider ?? 'tollway' })),
});

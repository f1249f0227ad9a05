import { authenticateCaller, authenticateMaster, callerAllows, isMasterKey, isUnknownKey, keysUnavailable, type Caller } from './auth/authenticate.js';
import { RecordCache } from './auth/record-cache.js';
import { chatCompletions } from './chat/chat-completions.js';
import type { TollwayConfig } from './config/schema.js';
import { GatewayError } from './errors.js';
import type { Gateway, RequestContext } from './gateway-types.js';
import { KeyAdmin } from './keys/key-admin.js';
import type { KeyStore, TeamStore } from './keys/key-record.js';
import { masterCaller, ownKeyQuery } from './keys/self-service.js';
import { TeamAdmin } from './keys/team-admin.js';
import type { CounterStore } from './limits/counter-store.js';
import { embeddings } from './embeddings/embeddings-route.js';
import type { KnowledgeService } from './knowledge/knowledge-service.js';
import { listVectorStores, searchVectorStore } from './knowledge/vector-store-routes.js';
import { mcpAccessOf, type McpService } from './mcp/mcp-service.js';
import { meteredMcpAccess } from './mcp/tool-meter.js';
import { listMcpFunctions, callMcpTool, listMcpServers } from './mcp/mcp-rest.js';
import { modelInfo } from './routing/model-info.js';
import { consoleAsset, consolePage, type ConsoleAssets } from './ui/console-assets.js';
import { subjectsOf } from './limits/limit-windows.js';
import { leaseOptionsFor } from './limits/lease-options.js';
import { RequestLimiter } from './limits/request-limiter.js';
import { describeError, type GatewayLogger } from './logger.js';
import { noMetrics, noTeam, type GatewayMetrics } from './metrics.js';
import { ModelRouter } from './routing/model-router.js';
import type { ModelCatalog } from './model-catalog.js';
import { matchRoute, type FunctionName, type Operation, type Route } from './routes.js';
import { reconcile } from './usage/reconcile.js';
import { spendLogs } from './usage/spend-logs.js';
import type { UsageReader, UsageStore } from './usage/usage-record.js';
import { readJsonObject } from '../http/read-body.js';
import { allowedOrigin, preflightResponse, withCors } from '../http/cors.js';
import { errorResponse, jsonResponse, type ErrorEnvelope } from '../http/responses.js';
import { countMessageTokens } from './messages/count-tokens.js';
import { createMessage } from './messages/messages-route.js';
import type { ResponseStore } from './responses/response-store.js';
import { createResponse } from './responses/responses-route.js';
import { deleteResponse, listInputItems, retrieveResponse } from './responses/stored-responses.js';

export interface GatewayDependencies {
  config: TollwayConfig;
  catalog: ModelCatalog;
  keyStore: KeyStore;
  teamStore: TeamStore;
  counterStore: CounterStore;
  usageStore: UsageStore & UsageReader;
  /** Stored responses of `/v1/responses`. */
  responseStore: ResponseStore;
  mcp: McpService;
  knowledge: KnowledgeService;
  masterKey: () => Promise<string>;
  /** The web console's built files (`/ui`); absent, `/ui` answers 503 console_not_built. */
  consoleAssets?: ConsoleAssets;
  logger: GatewayLogger;
  metrics?: GatewayMetrics;
  /** Random numbers for load balancing and jitter (injectable for tests). */
  random?: () => number;
  /** Serve only this Lambda function's routes (all when absent). */
  functionName?: FunctionName;
  now?: () => Date;
}

interface OperationInput {
  request: Request;
  url: URL;
  params: Record<string, string>;
  context: RequestContext;
  /** Set on routes with `auth: 'key'`, and on `key_or_master` routes called with a virtual key. */
  caller?: Caller;
  /** A `key_or_master` route called with the master key. */
  master: boolean;
  arrivedAt: number;
}

type OperationHandler = (input: OperationInput) => Promise<Response>;

/** Builds the gateway core: routing, authentication and the operations, behind web-standard Request/Response. */
export const createGateway = (dependencies: GatewayDependencies): Gateway => {
  const now = dependencies.now ?? (() => new Date());
  const clock = () => now().getTime();
  const ttlMs = dependencies.config.settings.key_cache_ttl_seconds * 1000;
  // A key store that cannot be reached is the gateway's trouble, not the caller's: 503 (retryable), logged.
  const lookup =
    <Value>(load: (id: string) => Promise<Value | undefined>) =>
    (id: string) =>
      load(id).catch((error: unknown) => {
        dependencies.logger.error('key store unavailable', describeError(error));
        throw keysUnavailable(error);
      });
  const keyCache = new RecordCache(lookup((id) => dependencies.keyStore.get(id)), ttlMs, clock);
  const teamCache = new RecordCache(lookup((id) => dependencies.teamStore.get(id)), ttlMs, clock);
  const keyAdmin = new KeyAdmin(dependencies.keyStore, dependencies.teamStore, keyCache, dependencies.counterStore, now);
  const teamAdmin = new TeamAdmin(dependencies.teamStore, dependencies.keyStore, teamCache, dependencies.counterStore, now);
  const metrics = dependencies.metrics ?? noMetrics;
  const limiter = new RequestLimiter(dependencies.counterStore, clock, dependencies.logger, {
    holdTtlMs: dependencies.config.settings.hold_ttl_seconds * 1000,
    onSoftBudget: (subject) => metrics.record('SoftBudgetCrossed', 1, { team: subject.teamId ?? noTeam }),
    leases: leaseOptionsFor(dependencies.config, dependencies.functionName),
  });
  const maxBodyBytes = dependencies.config.settings.max_body_bytes;
  const router = new ModelRouter(dependencies.catalog, dependencies.config, { now: clock, random: dependencies.random ?? Math.random, logger: dependencies.logger, metrics });
  const chatDependencies = { ...dependencies, limiter, router, metrics, now };
  const body = (request: Request) => readJsonObject(request, maxBodyBytes);
  /** Routes that reach an MCP server or a knowledge base count against `rpm_limit` too (one UpdateItem per limited subject; none without a limit). */
  const countRequest = async (caller: Caller, context: RequestContext) => {
    await limiter.admit({ requestId: context.requestId, subjects: subjectsOf(caller), reserveUsd: 0, estimatedTokens: 0, requestsOnly: true }, context.waitUntil);
  };

  const operations: Record<Operation, OperationHandler> = {
    'chat.completions': ({ request, caller, context, arrivedAt }) => chatCompletions(request, requireCaller(caller), context, arrivedAt, chatDependencies),
    'messages.create': ({ request, caller, context, arrivedAt }) => createMessage(request, requireCaller(caller), context, arrivedAt, chatDependencies),
    'messages.count_tokens': ({ request, caller, context }) => countMessageTokens(request, requireCaller(caller), context, dependencies.catalog, maxBodyBytes),
    'responses.create': ({ request, caller, context, arrivedAt }) => createResponse(request, requireCaller(caller), context, arrivedAt, chatDependencies),
    'responses.retrieve': ({ caller, params }) => retrieveResponse(dependencies.responseStore, requireCaller(caller), params.id),
    'responses.delete': ({ caller, params }) => deleteResponse(dependencies.responseStore, requireCaller(caller), params.id),
    'responses.input_items': ({ caller, params, url }) => listInputItems(dependencies.responseStore, requireCaller(caller), params.id, url.searchParams),
    'models.list': async ({ request, caller }) =>
      jsonResponse(200, (request.headers.has('anthropic-version') ? listAnthropicModels : listModels)(dependencies.catalog, requireCaller(caller))),
    embeddings: ({ request, caller, context, arrivedAt }) => embeddings(request, requireCaller(caller), context, arrivedAt, chatDependencies),
    'vector_stores.list': async ({ caller, master }) => jsonResponse(200, listVectorStores(dependencies.knowledge, master ? masterCaller(now()) : requireCaller(caller))),
    'vector_stores.search': async ({ request, caller, master, params, context }) => {
      const searcher = master ? masterCaller(now()) : requireCaller(caller);
      await countRequest(searcher, context);
      return jsonResponse(200, await searchVectorStore(dependencies.knowledge, searcher, params.id, await body(request)));
    },
    'mcp.endpoint': async ({ request, caller, context, params }) => {
      await countRequest(requireCaller(caller), context);
      return dependencies.mcp.handle(request, meteredMcpAccess(chatDependencies, requireCaller(caller), context), params.server);
    },
    'mcp.tools.list': async ({ caller, master, context }) =>
      jsonResponse(200, await listMcpFunctions(dependencies.mcp, mcpAccessOf(master ? masterCaller(now()) : requireCaller(caller), context.requestId))),
    'mcp.servers': async ({ caller, master, context }) =>
      jsonResponse(200, await listMcpServers(dependencies.mcp, dependencies.config, mcpAccessOf(master ? masterCaller(now()) : requireCaller(caller), context.requestId))),
    'model.info': async () =>
      jsonResponse(200, await modelInfo({ config: dependencies.config, health: router, usage: dependencies.usageStore, now: now() })),
    'mcp.tools.call': async ({ request, caller, context }) => {
      await countRequest(requireCaller(caller), context);
      return jsonResponse(200, await callMcpTool(dependencies.mcp, meteredMcpAccess(chatDependencies, requireCaller(caller), context), await body(request)));
    },
    'key.generate': async ({ request }) => jsonResponse(200, await keyAdmin.generate(await body(request))),
    'key.update': async ({ request }) => jsonResponse(200, await keyAdmin.update(await body(request))),
    'key.delete': async ({ request }) => jsonResponse(200, await keyAdmin.delete(await body(request))),
    'key.info': async ({ url, caller, master }) => {
      if (master) return jsonResponse(200, await keyAdmin.info(url.searchParams));
      const own = ownKeyQuery(url.searchParams, requireCaller(caller));
      return jsonResponse(200, await keyAdmin.info(new URLSearchParams({ key: own.get('key_id')! })));
    },
    'key.list': async ({ url }) => jsonResponse(200, await keyAdmin.list(url.searchParams)),
    'team.new': async ({ request }) => jsonResponse(200, await teamAdmin.create(await body(request))),
    'team.update': async ({ request }) => jsonResponse(200, await teamAdmin.update(await body(request))),
    'team.delete': async ({ request }) => jsonResponse(200, await teamAdmin.delete(await body(request))),
    'team.info': async ({ url }) => jsonResponse(200, await teamAdmin.info(url.searchParams)),
    'team.list': async ({ url }) => jsonResponse(200, await teamAdmin.list(url.searchParams)),
    'spend.logs': async ({ url, caller, master }) =>
      jsonResponse(200, await spendLogs(master ? url.searchParams : ownKeyQuery(url.searchParams, requireCaller(caller)), dependencies.usageStore, now())),
    'spend.reconcile': async ({ url }) =>
      jsonResponse(
        200,
        await reconcile(url.searchParams, { keys: dependencies.keyStore, teams: dependencies.teamStore, counters: dependencies.counterStore, usage: dependencies.usageStore, now }),
      ),
    health: async () => jsonResponse(200, { status: 'ok' }),
    'ui.page': ({ url }) => consolePage(dependencies.consoleAssets, url.pathname),
    'ui.asset': ({ params }) => consoleAsset(dependencies.consoleAssets, params.file),
  };

  const authorize = async (route: Route, request: Request): Promise<{ caller?: Caller; master: boolean }> => {
    if (route.auth === 'none') return { master: false };
    if (route.auth === 'master') {
      await authenticateMaster(request.headers, dependencies.masterKey);
      return { master: false };
    }
    try {
      return { caller: await authenticateCaller(request.headers, keyCache, teamCache, now()), master: false };
    } catch (error) {
      // Virtual keys first: a function that does not hold the master key (on Lambda, all but admin) never reads it for them.
      if (route.auth === 'key_or_master' && isUnknownKey(error) && (await isMasterKey(request.headers, dependencies.masterKey))) return { master: true };
      throw error;
    }
  };

  return {
    close: () => limiter.close(),
    async handle(request, context) {
      const arrivedAt = performance.now();
      const origin = allowedOrigin(request, dependencies.config.settings.cors_origins);
      let response: Response;
      try {
        const url = new URL(request.url);
        if (request.method === 'OPTIONS') {
          const { allowedMethods } = matchRoute('', url.pathname);
          if (allowedMethods.length === 0) throw new GatewayError(404, `Unknown route ${url.pathname}.`, { code: 'route_not_found' });
          response = preflightResponse(origin, [...allowedMethods, 'OPTIONS'].join(', '));
          response.headers.set('x-request-id', context.requestId);
          return response;
        }
        const route = findRoute(request.method, url.pathname, dependencies.functionName);
        const { caller, master } = await authorize(route.route, request);
        response = await operations[route.route.operation]({ request, url, params: route.params, context, caller, master, arrivedAt });
      } catch (error) {
        if (!(error instanceof GatewayError)) {
          dependencies.logger.error('unhandled error', { requestId: context.requestId, ...describeError(error) });
        }
        response = errorResponse(error, envelopeOf(request));
        if (response.status === 401 && isMcpPath(request.url)) response.headers.set('www-authenticate', 'Bearer realm="tollway"');
      }
      response.headers.set('x-request-id', context.requestId);
      return withCors(response, origin);
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

/** Anthropic clients (the Messages routes, and model discovery with `anthropic-version`) read Anthropic's error envelope. */
const envelopeOf = (request: Request): ErrorEnvelope => {
  const path = new URL(request.url).pathname;
  return path.startsWith('/v1/messages') || (path === '/v1/models' && request.headers.has('anthropic-version')) ? 'anthropic' : 'openai';
};

/** MCP clients expect a Bearer challenge on 401. */
const isMcpPath = (url: string) => /^\/mcp(\/|$)/.test(new URL(url).pathname);

const requireCaller = (caller: Caller | undefined): Caller => {
  if (!caller) throw new GatewayError(401, 'Missing API key.', { code: 'invalid_api_key' });
  return caller;
};

/** `GET /v1/models`: the models this key (and its team) may use. */
const listModels = (catalog: ModelCatalog, caller: Caller) => ({
  object: 'list' as const,
  data: catalog
    .names()
    .filter((name) => callerAllows(caller, 'models', name))
    .map((name) => ({ id: name, object: 'model' as const, created: 0, owned_by: catalog.deployments(name)?.[0]?.config.provider ?? 'tollway' })),
});

/** `GET /v1/models` in Anthropic's shape, which Claude Code's model discovery reads. */
const listAnthropicModels = (catalog: ModelCatalog, caller: Caller) => {
  const data = catalog
    .names()
    .filter((name) => callerAllows(caller, 'models', name) && (catalog.deployments(name)?.length ?? 0) > 0)
    .map((name) => ({ type: 'model' as const, id: name, display_name: name, created_at: '1970-01-01T00:00:00Z' }));
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
};

import type { Caller } from '../auth/authenticate.js';
import type { TollwayConfig } from '../config/schema.js';
import type { RequestContext } from '../gateway-types.js';
import { emptyUsage } from '../language-model.js';
import { subjectsOf } from '../limits/limit-windows.js';
import type { RequestLimiter } from '../limits/request-limiter.js';
import { describeError, type GatewayLogger } from '../logger.js';
import { retrying } from '../retry.js';
import type { UsageRecord, UsageStore } from '../usage/usage-record.js';
import { mcpAccessOf, type McpAccess } from './mcp-service.js';

export interface ToolMeterDependencies {
  config: TollwayConfig;
  limiter: RequestLimiter;
  usageStore: UsageStore;
  logger: GatewayLogger;
  now: () => Date;
}

/** A tool's price per call in USD: `tool_prices[tool]`, else the server's `default_tool_price`, else free. */
export const toolPrice = (config: TollwayConfig, server: string, tool: string): number => {
  const entry = config.mcp_servers.find((candidate) => candidate.name === server);
  return entry?.tool_prices?.[tool] ?? entry?.default_tool_price ?? 0;
};

/**
 * The caller's MCP access, metered: a priced tool call holds its price on the
 * caller's budgets before it goes upstream (429 budget_exceeded when it does
 * not fit, and the call is not made), is charged the price once the server
 * answered (an `isError` result too: the server did the work), nothing when
 * the call failed, and writes a usage record of its own
 * (`<request id>:tool:<n>`, model `mcp/<server>/<tool>`), so spend and usage
 * records agree. Free tools cost no DynamoDB call.
 */
export const meteredMcpAccess = (dependencies: ToolMeterDependencies, caller: Caller, context: Pick<RequestContext, 'requestId' | 'waitUntil'>): McpAccess => {
  let calls = 0;
  return {
    ...mcpAccessOf(caller, context.requestId),
    async meterToolCall(target, call) {
      const price = toolPrice(dependencies.config, target.server, target.tool);
      if (price <= 0) return call();
      calls += 1;
      const callId = `${context.requestId}:tool:${calls}`;
      const admission = await dependencies.limiter.admit(
        { requestId: callId, subjects: subjectsOf(caller), reserveUsd: price, estimatedTokens: 0, spendOnly: true },
        context.waitUntil,
      );
      const startedAt = dependencies.now();
      let answered = false;
      try {
        const result = await call();
        answered = true;
        return result;
      } finally {
        const costUsd = answered ? price : 0;
        const record: UsageRecord = {
          requestId: callId,
          createdAt: startedAt.toISOString(),
          keyId: caller.key.keyId,
          keyAlias: caller.key.keyAlias,
          teamId: caller.key.teamId,
          model: `mcp/${target.server}/${target.tool}`,
          provider: 'mcp',
          deployment: target.server,
          usage: emptyUsage(),
          costUsd,
          latencyMs: dependencies.now().getTime() - startedAt.getTime(),
          status: answered ? 200 : 502,
          outcome: answered ? 'success' : 'error',
          stream: false,
          route: 'mcp.tool_call',
        };
        const settle = Promise.allSettled([
          admission.settle({ costUsd, tokens: 0 }),
          retrying(() => dependencies.usageStore.record(record), () => true),
        ]).then(([settled, recorded]) => {
          if (settled.status === 'rejected') dependencies.logger.error('settlement failed', { requestId: callId, ...describeError(settled.reason) });
          if (recorded.status === 'rejected') dependencies.logger.error('usage record not written', { requestId: callId, ...describeError(recorded.reason) });
        });
        context.waitUntil(settle);
      }
    },
  };
};

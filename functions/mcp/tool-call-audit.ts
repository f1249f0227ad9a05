import type { GatewayLogger } from '../core/logger.js';
import type { McpAccess } from '../core/mcp/mcp-service.js';
import type { GatewayMetrics } from '../core/metrics.js';

export type ToolCallOutcome = 'success' | 'tool_error' | 'error';

export interface ToolCallAudit {
  logger: GatewayLogger;
  metrics: GatewayMetrics;
}

/**
 * Runs one tool call and accounts for it: one `tool call` log line (who,
 * which tool, how long, how it ended; never arguments or results) and the
 * ToolCalls, ToolErrors and ToolLatency metrics of its server.
 */
export const auditToolCall = async <Result extends object>(
  audit: ToolCallAudit,
  access: McpAccess,
  target: { server: string; tool: string },
  call: () => Promise<Result>,
): Promise<Result> => {
  const startedAt = performance.now();
  let outcome: ToolCallOutcome = 'error';
  try {
    const result = access.meterToolCall ? await access.meterToolCall(target, call) : await call();
    outcome = 'isError' in result && result.isError === true ? 'tool_error' : 'success';
    return result;
  } finally {
    const latencyMs = Math.round(performance.now() - startedAt);
    audit.logger.info('tool call', {
      requestId: access.requestId,
      keyId: access.keyId,
      teamId: access.teamId,
      server: target.server,
      tool: target.tool,
      latencyMs,
      outcome,
    });
    const dimensions = { server: target.server };
    audit.metrics.record('ToolCalls', 1, dimensions);
    if (outcome !== 'success') audit.metrics.record('ToolErrors', 1, dimensions);
    audit.metrics.record('ToolLatency', latencyMs, dimensions);
  }
};

import type { TollwayConfig } from '../config/schema.js';
import type { FunctionName } from '../routes.js';
import type { LeaseOptions } from './request-limiter.js';

/**
 * Whether this host leases, and how: wherever one instance serves many
 * requests at once (the local server, the chat and mcp functions on managed
 * instances), when `settings.budget_leases.enabled`. Not on on-demand Lambda:
 * an execution environment there serves one request at a time and is frozen
 * between them, so a lease would save nothing and strand budget while frozen.
 */
export const leaseOptionsFor = (config: TollwayConfig, functionName: FunctionName | undefined): LeaseOptions | undefined => {
  const { enabled, idle_return_ms: idleReturnMs } = config.settings.budget_leases;
  const concurrent = functionName === undefined || (config.deployment.compute === 'managed-instances' && (functionName === 'chat' || functionName === 'mcp'));
  return enabled && concurrent ? { idleReturnMs, awaitIdleReturn: true } : undefined;
};

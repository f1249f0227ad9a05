import { GatewayError } from '../errors.js';
import type { Usage } from '../language-model.js';

/** One item per request in the usage table. */
export interface UsageRecord {
  requestId: string;
  /** ISO time the request arrived. */
  createdAt: string;
  keyId: string;
  keyAlias?: string;
  teamId?: string;
  /** The model name the client asked for. */
  model: string;
  provider: string;
  /** The upstream model id that served it. */
  deployment: string;
  usage: Usage;
  /** The cost of the usage the upstream reported. */
  costUsd: number;
  /** What of `costUsd` exceeded the request's hold and was not charged to budgets (an upstream that over-reported). */
  overageUsd?: number;
  latencyMs: number;
  timeToFirstTokenMs?: number;
  /** Gateway time excluding the upstream. */
  overheadMs?: number;
  /** HTTP status returned (200 even when a stream later failed; see `outcome`). */
  status: number;
  /** `success`, `error`, `client_disconnected`. */
  outcome: 'success' | 'error' | 'client_disconnected';
  errorCode?: string;
  stream: boolean;
  finishReason?: string;
  /** The API that served it: `chat.completions`, `messages.create`, `responses.create`, `mcp.tool_call`. */
  route?: string;
  /** Claude Code's session (`X-Claude-Code-Session-Id`), for cost per session. */
  sessionId?: string;
  /** Claude Code's agent and parent agent (`X-Claude-Code-Agent-Id`, `X-Claude-Code-Parent-Agent-Id`), for cost per subagent. */
  agentId?: string;
  parentAgentId?: string;
}

/** The attribution fields of a record. */
export type UsageAttribution = Pick<UsageRecord, 'sessionId' | 'agentId' | 'parentAgentId'>;

/**
 * How a request that failed ended: the client left (its signal aborted), or an
 * error. A host's own deadline aborts the signal with a GatewayError (504
 * `invocation_deadline`): that is an error, not a client that left.
 */
export const failureOutcome = (clientSignal: AbortSignal | undefined): 'error' | 'client_disconnected' =>
  clientSignal?.aborted && !(clientSignal.reason instanceof GatewayError) ? 'client_disconnected' : 'error';

/** Port: where usage records go. */
export interface UsageStore {
  record(record: UsageRecord): Promise<void>;
}

/** Filters of `GET /spend/logs`. */
export interface UsageQuery {
  keyId?: string;
  teamId?: string;
  model?: string;
  sessionId?: string;
  /** ISO times, inclusive start and exclusive end. */
  startTime: string;
  endTime: string;
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface UsagePage {
  records: UsageRecord[];
  nextCursor?: string;
}

/** Port: reading usage records back. */
export interface UsageReader {
  query(query: UsageQuery): Promise<UsagePage>;
}

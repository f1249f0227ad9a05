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
  costUsd: number;
  latencyMs: number;
  timeToFirstTokenMs?: number;
  /** HTTP status returned (200 even when a stream later failed; see `outcome`). */
  status: number;
  /** `success`, `error`, `client_disconnected`. */
  outcome: 'success' | 'error' | 'client_disconnected';
  errorCode?: string;
  stream: boolean;
  finishReason?: string;
}

/** Port: where usage records go. */
export interface UsageStore {
  record(record: UsageRecord): Promise<void>;
}

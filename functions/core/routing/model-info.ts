import type { TollwayConfig } from '../config/schema.js';
import type { UsageReader, UsageRecord } from '../usage/usage-record.js';

/** This instance's view of a deployment's health (the router's failure window and cooldown). */
export interface DeploymentHealthSource {
  deploymentHealth(modelName: string, index: number): { recentFailures: number; cooledUntil?: number };
}

export interface ModelInfoDependencies {
  config: TollwayConfig;
  health: DeploymentHealthSource;
  usage: UsageReader;
  now: Date;
}

/** How far back `/model/info` looks at usage records, and how many it reads at most. */
const recentWindowMs = 3_600_000;
const maxRecentRecords = 5_000;

interface RecentUsage {
  requests: number;
  errors: number;
  latencyTotalMs: number;
  lastErrorCode: string | null;
  lastRequestAt: string | null;
}

const deploymentKey = (provider: string, upstreamId: string) => `${provider}\u0000${upstreamId}`;

/** The usage records of the last hour, by provider and upstream model id (bounded: a busy gateway's hour is sampled from its newest records). */
const recentUsage = async (usage: UsageReader, now: Date) => {
  const byDeployment = new Map<string, RecentUsage>();
  let cursor: string | undefined;
  let read = 0;
  do {
    const page = await usage.query({ startTime: new Date(now.getTime() - recentWindowMs).toISOString(), endTime: now.toISOString(), limit: 1000, cursor });
    for (const record of page.records) add(byDeployment, record);
    read += page.records.length;
    cursor = page.nextCursor;
  } while (cursor && read < maxRecentRecords);
  return byDeployment;
};

const add = (byDeployment: Map<string, RecentUsage>, record: UsageRecord) => {
  const key = deploymentKey(record.provider, record.deployment);
  const entry = byDeployment.get(key) ?? { requests: 0, errors: 0, latencyTotalMs: 0, lastErrorCode: null, lastRequestAt: null };
  entry.requests += 1;
  entry.latencyTotalMs += record.latencyMs;
  if (record.outcome === 'error') {
    entry.errors += 1;
    // Records come newest first: the first error seen is the latest.
    entry.lastErrorCode ??= record.errorCode ?? String(record.status);
  }
  entry.lastRequestAt ??= record.createdAt;
  byDeployment.set(key, entry);
};

/**
 * `GET /model/info` (LiteLLM's name): every configured deployment with its
 * routing settings, this instance's cooldown state and the last hour's
 * requests, errors and latency from the usage records. Cooldowns live in each
 * instance's memory; the usage figures are the same everywhere.
 */
export const modelInfo = async ({ config, health, usage, now }: ModelInfoDependencies) => {
  const recent = await recentUsage(usage, now);
  const seen = new Map<string, number>();
  const data = config.models.map((entry) => {
    const slot = `${entry.mode}\u0000${entry.name}`;
    const index = seen.get(slot) ?? 0;
    seen.set(slot, index + 1);
    const state = health.deploymentHealth(entry.name, index);
    const upstreamId = entry.model ?? entry.name;
    const usageOf = recent.get(deploymentKey(entry.provider, upstreamId));
    const coolingDown = state.cooledUntil !== undefined;
    return {
      model_name: entry.name,
      deployment_index: index,
      provider: entry.provider,
      model: upstreamId,
      mode: entry.mode,
      weight: entry.weight,
      price: entry.price ?? null,
      fallbacks: entry.fallbacks ?? [],
      health: coolingDown ? 'cooling_down' : state.recentFailures > 0 || (usageOf?.errors ?? 0) > 0 ? 'degraded' : 'healthy',
      cooldown_until: coolingDown ? new Date(state.cooledUntil!).toISOString() : null,
      recent_failures: state.recentFailures,
      last_hour: {
        requests: usageOf?.requests ?? 0,
        errors: usageOf?.errors ?? 0,
        mean_latency_ms: usageOf && usageOf.requests > 0 ? Math.round(usageOf.latencyTotalMs / usageOf.requests) : null,
        last_error_code: usageOf?.lastErrorCode ?? null,
        last_request_at: usageOf?.lastRequestAt ?? null,
      },
    };
  });
  return { object: 'list' as const, data, cooldown: { allowed_fails: config.settings.router.allowed_fails, cooldown_seconds: config.settings.router.cooldown_seconds } };
};

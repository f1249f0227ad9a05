import * as z from 'zod';
import type { KeyRecord, LimitSettings, TeamRecord } from '../core/keys/key-record.js';

/** How one record kind maps to items of the keys table. */
export interface ItemMapping<Value> {
  /** `key` or `team`: the `type` attribute, which listings filter on. */
  type: string;
  partitionKey(id: string): string;
  idOf(record: Value): string;
  toItem(record: Value): Record<string, unknown>;
  fromItem(item: Record<string, unknown>): Value;
}

const limitItemSchema = z.object({
  models: z.array(z.string()).default([]),
  mcp_servers: z.array(z.string()).default([]),
  mcp_tool_permissions: z.record(z.string(), z.array(z.string())).default({}),
  knowledge_bases: z.array(z.string()).default([]),
  max_budget: z.number().optional(),
  budget_duration: z.string().optional(),
  soft_budget: z.number().optional(),
  rpm_limit: z.number().optional(),
  tpm_limit: z.number().optional(),
  blocked: z.boolean().default(false),
  metadata: z.record(z.string(), z.unknown()).default({}),
  created_at: z.string(),
  updated_at: z.string(),
});

const limitsToItem = (record: LimitSettings) => ({
  models: record.models,
  mcp_servers: record.mcpServers,
  mcp_tool_permissions: record.mcpToolPermissions,
  knowledge_bases: record.knowledgeBases,
  max_budget: record.maxBudget,
  budget_duration: record.budgetDuration,
  soft_budget: record.softBudget,
  rpm_limit: record.rpmLimit,
  tpm_limit: record.tpmLimit,
  blocked: record.blocked,
  metadata: record.metadata,
  created_at: record.createdAt,
  updated_at: record.updatedAt,
});

const limitsFromItem = (stored: z.infer<typeof limitItemSchema>): LimitSettings => ({
  models: stored.models,
  mcpServers: stored.mcp_servers,
  mcpToolPermissions: stored.mcp_tool_permissions,
  knowledgeBases: stored.knowledge_bases,
  maxBudget: stored.max_budget,
  budgetDuration: stored.budget_duration,
  softBudget: stored.soft_budget,
  rpmLimit: stored.rpm_limit,
  tpmLimit: stored.tpm_limit,
  blocked: stored.blocked,
  metadata: stored.metadata,
  createdAt: stored.created_at,
  updatedAt: stored.updated_at,
});

const keyItemSchema = limitItemSchema.extend({
  key_id: z.string(),
  key_hint: z.string(),
  key_alias: z.string().optional(),
  team_id: z.string().optional(),
  expires: z.string().optional(),
});

/** Virtual keys: `KEY#<sha256>`. */
export const keyItems: ItemMapping<KeyRecord> = {
  type: 'key',
  partitionKey: (keyId) => `KEY#${keyId}`,
  idOf: (record) => record.keyId,
  toItem: (record) => ({
    ...limitsToItem(record),
    key_id: record.keyId,
    key_hint: record.keyHint,
    key_alias: record.keyAlias,
    team_id: record.teamId,
    expires: record.expires,
  }),
  fromItem: (item) => {
    const stored = keyItemSchema.parse(item);
    return {
      ...limitsFromItem(stored),
      keyId: stored.key_id,
      keyHint: stored.key_hint,
      keyAlias: stored.key_alias,
      teamId: stored.team_id,
      expires: stored.expires,
    };
  },
};

const teamItemSchema = limitItemSchema.extend({ team_id: z.string(), team_alias: z.string().optional() });

/** Teams: `TEAM#<id>`. */
export const teamItems: ItemMapping<TeamRecord> = {
  type: 'team',
  partitionKey: (teamId) => `TEAM#${teamId}`,
  idOf: (record) => record.teamId,
  toItem: (record) => ({ ...limitsToItem(record), team_id: record.teamId, team_alias: record.teamAlias }),
  fromItem: (item) => {
    const stored = teamItemSchema.parse(item);
    return { ...limitsFromItem(stored), teamId: stored.team_id, teamAlias: stored.team_alias };
  },
};

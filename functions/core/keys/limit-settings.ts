import * as z from 'zod';
import { durationPattern } from '../duration.js';
import type { LimitSettings } from './key-record.js';

const names = z.array(z.string().min(1).max(128)).max(500);
const usd = z.number().nonnegative().finite();
const perMinute = z.number().int().nonnegative();
export const durationField = z.string().regex(durationPattern, 'a duration such as "30s", "1h", "1d" or "30d"');

/** Request fields for limits and allowlists, shared by keys and teams (null clears). */
export const limitSettingsFields = {
  models: names.optional(),
  mcp_servers: names.optional(),
  mcp_tool_permissions: z.record(z.string().min(1).max(64), names).optional(),
  knowledge_bases: names.optional(),
  max_budget: usd.nullish(),
  budget_duration: durationField.nullish(),
  soft_budget: usd.nullish(),
  rpm_limit: perMinute.nullish(),
  tpm_limit: perMinute.nullish(),
  blocked: z.boolean().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
};

type LimitSettingsInput = z.infer<z.ZodObject<typeof limitSettingsFields>>;

/** Sets `field` to `value`; `null` removes it, `undefined` leaves it. */
export const setField = <Target extends object, Field extends keyof Target>(target: Target, field: Field, value: Target[Field] | null | undefined) => {
  if (value === undefined) return;
  if (value === null) delete target[field];
  else target[field] = value;
};

/** Applies the limit fields present in `input` to a copy of `base`. */
export const applyLimitSettings = <Record extends LimitSettings>(base: Record, input: Partial<LimitSettingsInput>): Record => {
  const record = { ...base };
  setField<LimitSettings, 'models'>(record, 'models', input.models);
  setField<LimitSettings, 'mcpServers'>(record, 'mcpServers', input.mcp_servers);
  setField<LimitSettings, 'mcpToolPermissions'>(record, 'mcpToolPermissions', input.mcp_tool_permissions);
  setField<LimitSettings, 'knowledgeBases'>(record, 'knowledgeBases', input.knowledge_bases);
  setField<LimitSettings, 'maxBudget'>(record, 'maxBudget', input.max_budget);
  setField<LimitSettings, 'budgetDuration'>(record, 'budgetDuration', input.budget_duration);
  setField<LimitSettings, 'softBudget'>(record, 'softBudget', input.soft_budget);
  setField<LimitSettings, 'rpmLimit'>(record, 'rpmLimit', input.rpm_limit);
  setField<LimitSettings, 'tpmLimit'>(record, 'tpmLimit', input.tpm_limit);
  setField<LimitSettings, 'blocked'>(record, 'blocked', input.blocked);
  setField<LimitSettings, 'metadata'>(record, 'metadata', input.metadata);
  return record;
};

/** The API view of limits and allowlists. */
export const describeLimitSettings = (record: LimitSettings) => ({
  models: record.models,
  mcp_servers: record.mcpServers,
  mcp_tool_permissions: record.mcpToolPermissions,
  knowledge_bases: record.knowledgeBases,
  max_budget: record.maxBudget ?? null,
  budget_duration: record.budgetDuration ?? null,
  soft_budget: record.softBudget ?? null,
  rpm_limit: record.rpmLimit ?? null,
  tpm_limit: record.tpmLimit ?? null,
  blocked: record.blocked,
  metadata: record.metadata,
  created_at: record.createdAt,
  updated_at: record.updatedAt,
});

/** Fresh settings for a new record. */
export const emptyLimitSettings = (now: string): LimitSettings => ({
  models: [],
  mcpServers: [],
  mcpToolPermissions: {},
  knowledgeBases: [],
  blocked: false,
  metadata: {},
  createdAt: now,
  updatedAt: now,
});

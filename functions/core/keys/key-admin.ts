import { z } from 'zod';
import { generateKey, hashKey, keyHint } from '../auth/key-hash.js';
import type { KeyCache } from '../auth/key-cache.js';
import { GatewayError, invalidRequest } from '../errors.js';
import { durationPattern, parseDuration } from '../duration.js';
import { parseBody } from '../validation.js';
import { KeyExistsError, KeyNotFoundError, type KeyRecord, type KeyStore } from './key-record.js';

const names = z.array(z.string().min(1).max(128)).max(500);
const usd = z.number().nonnegative().finite();
const duration = z.string().regex(durationPattern, 'a duration such as "30s", "1h", "1d" or "30d"');
const perMinute = z.number().int().nonnegative();

/** Fields a key can be created or updated with (LiteLLM names). */
const keySettings = {
  key_alias: z.string().min(1).max(256).nullish(),
  team_id: z.string().min(1).max(128).nullish(),
  models: names.optional(),
  mcp_servers: names.optional(),
  knowledge_bases: names.optional(),
  max_budget: usd.nullish(),
  budget_duration: duration.nullish(),
  soft_budget: usd.nullish(),
  rpm_limit: perMinute.nullish(),
  tpm_limit: perMinute.nullish(),
  /** Relative lifetime, as in LiteLLM (`30d`). */
  duration: duration.nullish(),
  /** Absolute expiry time. */
  expires: z.iso.datetime({ offset: true }).nullish(),
  blocked: z.boolean().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
};

const generateSchema = z.looseObject({
  ...keySettings,
  /** A caller-chosen key value (LiteLLM allows it); must look like one of ours. */
  key: z.string().regex(/^sk-[A-Za-z0-9_-]{16,200}$/, 'a key of the form sk-<16 to 200 letters, digits, _ or ->').optional(),
});

const keyReference = z.string().min(1).max(512);
const updateSchema = z.looseObject({ ...keySettings, key: keyReference });
const deleteSchema = z.looseObject({ keys: z.array(keyReference).max(100).optional(), key_aliases: z.array(z.string()).max(100).optional() });

type KeySettings = z.infer<typeof updateSchema>;

/** The admin view of a key (never the key itself). */
export const describeKey = (record: KeyRecord) => ({
  key_id: record.keyId,
  token: record.keyId,
  key_name: record.keyHint,
  key_alias: record.keyAlias ?? null,
  team_id: record.teamId ?? null,
  models: record.models,
  mcp_servers: record.mcpServers,
  knowledge_bases: record.knowledgeBases,
  max_budget: record.maxBudget ?? null,
  budget_duration: record.budgetDuration ?? null,
  soft_budget: record.softBudget ?? null,
  rpm_limit: record.rpmLimit ?? null,
  tpm_limit: record.tpmLimit ?? null,
  expires: record.expires ?? null,
  blocked: record.blocked,
  metadata: record.metadata,
  created_at: record.createdAt,
  updated_at: record.updatedAt,
});

/** Key administration: generate, update, delete, info, list. */
export class KeyAdmin {
  constructor(
    private readonly store: KeyStore,
    private readonly cache: KeyCache,
    private readonly now: () => Date,
  ) {}

  async generate(body: unknown) {
    const input = parseBody(generateSchema, body);
    const key = input.key ?? generateKey();
    const createdAt = this.now().toISOString();
    const record = this.apply(
      { keyId: hashKey(key), keyHint: keyHint(key), models: [], mcpServers: [], knowledgeBases: [], blocked: false, metadata: {}, createdAt, updatedAt: createdAt },
      input,
    );
    try {
      await this.store.create(record);
    } catch (error) {
      if (error instanceof KeyExistsError) throw new GatewayError(409, 'A key with this value already exists.', { code: 'key_exists', param: 'key' });
      throw error;
    }
    this.cache.invalidate(record.keyId);
    return { key, ...describeKey(record) };
  }

  async update(body: unknown) {
    const input = parseBody(updateSchema, body);
    const existing = await this.find(input.key);
    const record = this.apply({ ...existing, updatedAt: this.now().toISOString() }, input);
    try {
      await this.store.replace(record);
    } catch (error) {
      if (error instanceof KeyNotFoundError) throw keyNotFound();
      throw error;
    }
    this.cache.invalidate(record.keyId);
    return describeKey(record);
  }

  async delete(body: unknown) {
    const input = parseBody(deleteSchema, body);
    if (!input.keys?.length && !input.key_aliases?.length) throw invalidRequest('Give "keys" or "key_aliases" to delete.', 'keys');
    const targets = new Set<string>();
    for (const reference of input.keys ?? []) targets.add(keyIdOf(reference));
    if (input.key_aliases?.length) {
      const aliases = new Set(input.key_aliases);
      for (const record of await this.store.list()) if (record.keyAlias && aliases.has(record.keyAlias)) targets.add(record.keyId);
    }
    const deleted: string[] = [];
    for (const keyId of targets) {
      if (await this.store.delete(keyId)) deleted.push(keyId);
      this.cache.invalidate(keyId);
    }
    if (deleted.length === 0) throw keyNotFound();
    return { deleted_keys: deleted };
  }

  async info(query: URLSearchParams) {
    const reference = query.get('key');
    if (!reference) throw invalidRequest('Give the key (or its key_id) as the "key" query parameter.', 'key');
    const record = await this.find(reference);
    return { key: record.keyId, info: describeKey(record) };
  }

  async list(query: URLSearchParams) {
    const page = positiveInteger(query.get('page'), 1, 'page');
    const size = Math.min(positiveInteger(query.get('size'), 50, 'size'), 500);
    const teamId = query.get('team_id');
    const alias = query.get('key_alias');
    const all = (await this.store.list())
      .filter((record) => (teamId ? record.teamId === teamId : true) && (alias ? record.keyAlias === alias : true))
      .sort((left, right) => left.createdAt.localeCompare(right.createdAt) || left.keyId.localeCompare(right.keyId));
    const slice = all.slice((page - 1) * size, page * size);
    const fullObjects = query.get('return_full_object') === 'true';
    return {
      keys: fullObjects ? slice.map(describeKey) : slice.map((record) => record.keyId),
      total_count: all.length,
      current_page: page,
      total_pages: Math.max(1, Math.ceil(all.length / size)),
    };
  }

  private async find(reference: string): Promise<KeyRecord> {
    const record = await this.store.get(keyIdOf(reference));
    if (!record) throw keyNotFound();
    return record;
  }

  /** Applies the settings present in `input` (null clears a field). */
  private apply(base: KeyRecord, input: Partial<KeySettings>): KeyRecord {
    const record: KeyRecord = { ...base };
    const set = <Field extends keyof KeyRecord>(field: Field, value: KeyRecord[Field] | null | undefined) => {
      if (value === undefined) return;
      if (value === null) delete record[field];
      else record[field] = value;
    };
    set('keyAlias', input.key_alias);
    set('teamId', input.team_id);
    set('models', input.models);
    set('mcpServers', input.mcp_servers);
    set('knowledgeBases', input.knowledge_bases);
    set('maxBudget', input.max_budget);
    set('budgetDuration', input.budget_duration);
    set('softBudget', input.soft_budget);
    set('rpmLimit', input.rpm_limit);
    set('tpmLimit', input.tpm_limit);
    set('blocked', input.blocked);
    set('metadata', input.metadata);
    if (input.expires !== undefined) set('expires', input.expires === null ? null : new Date(input.expires).toISOString());
    if (input.duration) set('expires', new Date(this.now().getTime() + (parseDuration(input.duration) ?? 0)).toISOString());
    if (input.duration === null) delete record.expires;
    return record;
  }
}

/** Admins may name a key by its value (`sk-...`) or by its key_id (the hash). */
const keyIdOf = (reference: string): string => (/^[0-9a-f]{64}$/.test(reference) ? reference : hashKey(reference));

const keyNotFound = () => new GatewayError(404, 'Key not found.', { code: 'key_not_found', param: 'key' });

const positiveInteger = (text: string | null, fallback: number, param: string): number => {
  if (text === null) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw invalidRequest(`"${param}" must be a positive integer.`, param);
  return value;
};

import * as z from 'zod';
import { generateKey, hashKey, keyHint } from '../auth/key-hash.js';
import type { RecordCache } from '../auth/record-cache.js';
import { GatewayError, invalidRequest } from '../errors.js';
import { parseDuration } from '../duration.js';
import type { CounterStore } from '../limits/counter-store.js';
import { publishBudgetCeiling } from '../limits/budget-ceiling.js';
import { spendStatus } from '../limits/spend-status.js';
import { parseBody } from '../validation.js';
import { RecordExistsError, RecordNotFoundError, type KeyRecord, type KeyStore, type TeamRecord, type TeamStore } from './key-record.js';
import { applyLimitSettings, describeLimitSettings, durationField, emptyLimitSettings, limitSettingsFields, setField } from './limit-settings.js';
import { pageOf, pagingOf } from './paging.js';
import { assertStorable } from './storable-record.js';

const keyFields = {
  ...limitSettingsFields,
  key_alias: z.string().min(1).max(256).nullish(),
  team_id: z.string().min(1).max(128).nullish(),
  /** Relative lifetime, as in LiteLLM (`30d`). */
  duration: durationField.nullish(),
  /** Absolute expiry time. */
  expires: z.iso.datetime({ offset: true }).nullish(),
};

const generateSchema = z.looseObject({
  ...keyFields,
  /** A caller-chosen key value (LiteLLM allows it); must look like one of ours. */
  key: z.string().regex(/^sk-[A-Za-z0-9_-]{16,200}$/, 'a key of the form sk-<16 to 200 letters, digits, _ or ->').optional(),
});
const keyReference = z.string().min(1).max(512);
const updateSchema = z.looseObject({ ...keyFields, key: keyReference });
const deleteSchema = z.looseObject({ keys: z.array(keyReference).max(100).optional(), key_aliases: z.array(z.string()).max(100).optional() });

type KeyInput = Partial<z.infer<typeof updateSchema>>;

/** The admin view of a key (never the key itself). */
export const describeKey = (record: KeyRecord) => ({
  key_id: record.keyId,
  token: record.keyId,
  key_name: record.keyHint,
  key_alias: record.keyAlias ?? null,
  team_id: record.teamId ?? null,
  expires: record.expires ?? null,
  ...describeLimitSettings(record),
});

/** Key administration: generate, update, delete, info, list. */
export class KeyAdmin {
  constructor(
    private readonly keys: KeyStore,
    private readonly teams: TeamStore,
    private readonly keyCache: RecordCache<KeyRecord>,
    private readonly counters: CounterStore,
    private readonly now: () => Date,
  ) {}

  async generate(body: unknown) {
    const input = parseBody(generateSchema, body);
    const key = input.key ?? generateKey();
    const record = await this.apply({ ...emptyLimitSettings(this.now().toISOString()), keyId: hashKey(key), keyHint: keyHint(key) }, input);
    try {
      await this.keys.create(record);
    } catch (error) {
      if (error instanceof RecordExistsError) throw new GatewayError(409, 'A key with this value already exists.', { code: 'key_exists', param: 'key' });
      throw error;
    }
    this.keyCache.invalidate(record.keyId);
    return { key, ...describeKey(record) };
  }

  async update(body: unknown) {
    const input = parseBody(updateSchema, body);
    const existing = await this.find(input.key);
    const record = await this.apply({ ...existing, updatedAt: this.now().toISOString() }, input);
    try {
      await this.keys.replace(record);
    } catch (error) {
      if (error instanceof RecordNotFoundError) throw keyNotFound();
      throw error;
    }
    this.keyCache.invalidate(record.keyId);
    if (input.max_budget !== undefined || input.budget_duration !== undefined) {
      await publishBudgetCeiling(this.counters, { kind: 'key', id: record.keyId, settings: record }, this.now().getTime());
    }
    return describeKey(record);
  }

  async delete(body: unknown) {
    const input = parseBody(deleteSchema, body);
    if (!input.keys?.length && !input.key_aliases?.length) throw invalidRequest('Give "keys" or "key_aliases" to delete.', 'keys');
    const targets = new Set<string>();
    for (const reference of input.keys ?? []) targets.add(keyIdOf(reference));
    if (input.key_aliases?.length) {
      const aliases = new Set(input.key_aliases);
      for (const record of await this.keys.list()) if (record.keyAlias && aliases.has(record.keyAlias)) targets.add(record.keyId);
    }
    const deleted: string[] = [];
    for (const keyId of targets) {
      if (await this.keys.delete(keyId)) deleted.push(keyId);
      this.keyCache.invalidate(keyId);
    }
    if (deleted.length === 0) throw keyNotFound();
    return { deleted_keys: deleted };
  }

  async info(query: URLSearchParams) {
    const reference = query.get('key');
    if (!reference) throw invalidRequest('Give the key (or its key_id) as the "key" query parameter.', 'key');
    const record = await this.find(reference);
    const spend = await spendStatus({ kind: 'key', id: record.keyId, settings: record }, this.counters, this.now().getTime());
    return { key: record.keyId, info: { ...describeKey(record), ...spend } };
  }

  async list(query: URLSearchParams) {
    const paging = pagingOf(query);
    const teamId = query.get('team_id');
    const alias = query.get('key_alias');
    const matching = (await this.keys.list())
      .filter((record) => (teamId ? record.teamId === teamId : true) && (alias ? record.keyAlias === alias : true))
      .sort((left, right) => left.createdAt.localeCompare(right.createdAt) || left.keyId.localeCompare(right.keyId));
    const { items, ...counts } = pageOf(matching, paging);
    const fullObjects = query.get('return_full_object') === 'true';
    return { keys: fullObjects ? items.map(describeKey) : items.map((record) => record.keyId), ...counts };
  }

  private async find(reference: string): Promise<KeyRecord> {
    const record = await this.keys.get(keyIdOf(reference));
    if (!record) throw keyNotFound();
    return record;
  }

  /** Applies the settings present in `input`; a team must exist. */
  private async apply(base: KeyRecord, input: KeyInput): Promise<KeyRecord> {
    const record = applyLimitSettings(base, input);
    setField<KeyRecord, 'keyAlias'>(record, 'keyAlias', input.key_alias);
    if (input.team_id) await this.requireTeam(input.team_id);
    setField<KeyRecord, 'teamId'>(record, 'teamId', input.team_id);
    if (input.expires !== undefined) setField<KeyRecord, 'expires'>(record, 'expires', input.expires === null ? null : new Date(input.expires).toISOString());
    if (input.duration) record.expires = new Date(this.now().getTime() + (parseDuration(input.duration) ?? 0)).toISOString();
    if (input.duration === null) delete record.expires;
    assertStorable(record);
    return record;
  }

  private async requireTeam(teamId: string): Promise<TeamRecord> {
    const team = await this.teams.get(teamId);
    if (!team) throw invalidRequest(`Team "${teamId}" does not exist; create it with /team/new first.`, 'team_id', 'team_not_found');
    return team;
  }
}

/** Admins may name a key by its value (`sk-...`) or by its key_id (the hash). */
const keyIdOf = (reference: string): string => (/^[0-9a-f]{64}$/.test(reference) ? reference : hashKey(reference));

const keyNotFound = () => new GatewayError(404, 'Key not found.', { code: 'key_not_found', param: 'key' });

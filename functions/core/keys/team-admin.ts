import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { RecordCache } from '../auth/record-cache.js';
import { GatewayError, invalidRequest } from '../errors.js';
import type { CounterStore } from '../limits/counter-store.js';
import { publishBudgetCeiling } from '../limits/budget-ceiling.js';
import { spendStatus } from '../limits/spend-status.js';
import { parseBody } from '../validation.js';
import { describeKey } from './key-admin.js';
import { RecordExistsError, type KeyStore, type TeamRecord, type TeamStore } from './key-record.js';
import { applyLimitSettings, describeLimitSettings, emptyLimitSettings, limitSettingsFields, setField } from './limit-settings.js';
import { pageOf, pagingOf } from './paging.js';
import { assertStorable } from './storable-record.js';

const teamId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'letters, digits, ".", "_", ":" or "-", at most 128');
const teamFields = { ...limitSettingsFields, team_alias: z.string().min(1).max(256).nullish() };
const newSchema = z.looseObject({ ...teamFields, team_id: teamId.optional() });
const updateSchema = z.looseObject({ ...teamFields, team_id: teamId });
const deleteSchema = z.looseObject({ team_ids: z.array(z.string().min(1).max(128)).min(1).max(100) });

/** The admin view of a team. */
export const describeTeam = (record: TeamRecord) => ({
  team_id: record.teamId,
  team_alias: record.teamAlias ?? null,
  ...describeLimitSettings(record),
});

/** Team administration: new, update, delete, info, list. */
export class TeamAdmin {
  constructor(
    private readonly teams: TeamStore,
    private readonly keys: KeyStore,
    private readonly teamCache: RecordCache<TeamRecord>,
    private readonly counters: CounterStore,
    private readonly now: () => Date,
  ) {}

  async create(body: unknown) {
    const input = parseBody(newSchema, body);
    const record = applyLimitSettings<TeamRecord>({ ...emptyLimitSettings(this.now().toISOString()), teamId: input.team_id ?? randomUUID() }, input);
    setField<TeamRecord, 'teamAlias'>(record, 'teamAlias', input.team_alias);
    assertStorable(record);
    try {
      await this.teams.create(record);
    } catch (error) {
      if (error instanceof RecordExistsError) throw new GatewayError(409, `Team "${record.teamId}" already exists.`, { code: 'team_exists', param: 'team_id' });
      throw error;
    }
    this.teamCache.invalidate(record.teamId);
    return describeTeam(record);
  }

  async update(body: unknown) {
    const input = parseBody(updateSchema, body);
    const existing = await this.find(input.team_id);
    const record = applyLimitSettings<TeamRecord>({ ...existing, updatedAt: this.now().toISOString() }, input);
    setField<TeamRecord, 'teamAlias'>(record, 'teamAlias', input.team_alias);
    assertStorable(record);
    await this.teams.replace(record);
    this.teamCache.invalidate(record.teamId);
    if (input.max_budget !== undefined || input.budget_duration !== undefined) {
      await publishBudgetCeiling(this.counters, { kind: 'team', id: record.teamId, settings: record }, this.now().getTime());
    }
    return describeTeam(record);
  }

  /**
   * Deletes teams that no key belongs to any more. A team with keys is
   * refused (409 team_has_keys): its keys would stop working and their spend
   * lose its team; move or delete them first.
   */
  async delete(body: unknown) {
    const input = parseBody(deleteSchema, body);
    const keys = await this.keys.list();
    for (const id of input.team_ids) {
      const members = keys.filter((key) => key.teamId === id).length;
      if (members > 0) {
        throw new GatewayError(409, `Team "${id}" still has ${members} key(s); move or delete them first.`, { code: 'team_has_keys', param: 'team_ids' });
      }
    }
    const deleted: string[] = [];
    for (const id of new Set(input.team_ids)) {
      if (await this.teams.delete(id)) deleted.push(id);
      this.teamCache.invalidate(id);
    }
    if (deleted.length === 0) throw new GatewayError(404, 'Team not found.', { code: 'team_not_found', param: 'team_ids' });
    return { deleted_teams: deleted };
  }

  async info(query: URLSearchParams) {
    const id = query.get('team_id');
    if (!id) throw invalidRequest('Give the team as the "team_id" query parameter.', 'team_id');
    const record = await this.find(id);
    const [spend, members] = await Promise.all([
      spendStatus({ kind: 'team', id: record.teamId, settings: record }, this.counters, this.now().getTime()),
      this.keys.list(),
    ]);
    return {
      team_id: record.teamId,
      team_info: { ...describeTeam(record), ...spend },
      keys: members.filter((key) => key.teamId === record.teamId).map(describeKey),
    };
  }

  async list(query: URLSearchParams) {
    const teams = (await this.teams.list()).sort((left, right) => left.createdAt.localeCompare(right.createdAt) || left.teamId.localeCompare(right.teamId));
    const { items, ...counts } = pageOf(teams, pagingOf(query));
    return { teams: items.map(describeTeam), ...counts };
  }

  private async find(id: string): Promise<TeamRecord> {
    const record = await this.teams.get(id);
    if (!record) throw new GatewayError(404, `Team "${id}" not found.`, { code: 'team_not_found', param: 'team_id' });
    return record;
  }
}

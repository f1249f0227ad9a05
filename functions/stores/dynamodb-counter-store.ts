import { GetCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  expiredHolds,
  type CounterStore,
  type CounterUpdate,
  type CounterValues,
  type Hold,
  type HoldGrowth,
  type HoldPlacement,
  type HoldRevision,
  type HoldSettlement,
  type PlacementOutcome,
  type RevisionOutcome,
} from '../core/limits/counter-store.js';
import { roundUsd } from '../core/pricing.js';
import { withinDeadline } from './dynamodb-deadline.js';

const counterFields = ['committed', 'spend', 'requests', 'tokens'] as const;
const limitChecks = [
  ['committedAtMost', 'committed', '<='],
  ['requestsBelow', 'requests', '<'],
  ['tokensBelow', 'tokens', '<'],
] as const;

/** Most holds one reclaiming write removes (an expression stays far below DynamoDB's 4 KB). */
const reclaimBatch = 50;

/**
 * A hold is a top-level attribute named `holds.<request id>` (the dot is part
 * of the name, always given through ExpressionAttributeNames): one SET places
 * it whether or not the item has holds yet, where a nested `holds` map would
 * first need a write that creates the map.
 */
const holdPrefix = 'holds.';
const holdAttribute = (holdId: string) => `${holdPrefix}${holdId}`;

const holdsOf = (item: Record<string, unknown>): Record<string, Hold> => {
  const holds: Record<string, Hold> = {};
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(holdPrefix)) continue;
    const stored = value as { amount?: unknown; expires_at?: unknown; revision?: unknown } | undefined;
    holds[name.slice(holdPrefix.length)] = {
      amount: Number(stored?.amount ?? 0),
      expiresAt: Number(stored?.expires_at ?? 0),
      ...(stored?.revision === undefined ? {} : { revision: Number(stored.revision) }),
    };
  }
  return holds;
};

const toValues = (item: Record<string, unknown> | undefined): CounterValues | undefined =>
  item
    ? {
        committed: Number(item.committed ?? 0),
        spend: Number(item.spend ?? 0),
        requests: Number(item.requests ?? 0),
        tokens: Number(item.tokens ?? 0),
        holds: holdsOf(item),
        ...(typeof item.max_usd === 'number' ? { ceilingUsd: item.max_usd } : {}),
      }
    : undefined;

const storedHold = (hold: Hold) => ({ amount: hold.amount, expires_at: hold.expiresAt, ...(hold.revision === undefined ? {} : { revision: hold.revision }) });

/** The budget the caller worked its headroom out from is not above the counter's own ceiling, when an administrator set one. */
const withinCeiling = '(attribute_not_exists(#max) OR #max >= :max)';

const isConditionFailure = (error: unknown) => (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';

/**
 * Budget and rate-limit counters in the budgets table, one item per subject
 * and period. Each write is one conditional UpdateItem, so limits hold under
 * any concurrency without transactions. Budget reservations are holds in
 * the item, one attribute per request id: placing, growing and settling
 * one is conditional on its presence or absence, so a write the client sends
 * again after DynamoDB applied it is refused rather than applied twice.
 * Plain `update`s (rate windows, spend without a budget) are ADDs and must be
 * sent once (`DynamoClients.counters` makes a single attempt).
 */
export class DynamoDBCounterStore implements CounterStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly deadlineMs: number,
  ) {}

  async update(update: CounterUpdate): Promise<CounterValues | undefined> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const additions: string[] = [];
    for (const field of counterFields) {
      const amount = update.add[field];
      if (amount === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = amount;
      additions.push(`#${field} :${field}`);
    }
    const conditions: string[] = [];
    for (const [limit, field, operator] of limitChecks) {
      const bound = update.limits?.[limit];
      if (bound === undefined) continue;
      names[`#${field}`] = field;
      values[`:${limit}`] = bound;
      conditions.push(`(attribute_not_exists(#${field}) OR #${field} ${operator} :${limit})`);
    }
    const sets = update.expiresAt === undefined ? [] : ['#expires_at = if_not_exists(#expires_at, :expires_at)'];
    if (update.expiresAt !== undefined) {
      names['#expires_at'] = 'expires_at';
      values[':expires_at'] = update.expiresAt;
    }
    return this.conditional({
      UpdateExpression: [`ADD ${additions.join(', ')}`, ...(sets.length > 0 ? [`SET ${sets.join(', ')}`] : [])].join(' '),
      ConditionExpression: conditions.length > 0 ? conditions.join(' AND ') : undefined,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      counterId: update.counterId,
    });
  }

  async get(counterId: string): Promise<CounterValues | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: counterId }, ConsistentRead: true }), withinDeadline(this.deadlineMs));
    return toValues(Item);
  }

  async placeHold(placement: HoldPlacement): Promise<PlacementOutcome> {
    const { counterId, holdId, hold, committedAtMost, maxUsd, expiresAt } = placement;
    const values = await this.conditional({
      counterId,
      UpdateExpression: `SET #hold = :hold${expiresAt === undefined ? '' : ', #expires_at = if_not_exists(#expires_at, :expires_at)'} ADD #committed :amount`,
      ConditionExpression: `attribute_not_exists(#hold) AND (attribute_not_exists(#committed) OR #committed <= :headroom) AND ${withinCeiling}`,
      ExpressionAttributeNames: { '#hold': holdAttribute(holdId), '#committed': 'committed', '#max': 'max_usd', ...(expiresAt === undefined ? {} : { '#expires_at': 'expires_at' }) },
      ExpressionAttributeValues: {
        ':hold': storedHold(hold),
        ':amount': hold.amount,
        ':headroom': committedAtMost,
        ':max': maxUsd,
        ...(expiresAt === undefined ? {} : { ':expires_at': expiresAt }),
      },
    });
    if (values) return { placed: true, values };
    // Refused: the hold is there already (this write, sent again), or the budget has no room.
    const current = await this.get(counterId);
    return { placed: current?.holds[holdId] !== undefined, values: current };
  }

  async growHold(growth: HoldGrowth): Promise<boolean> {
    const { counterId, holdId, from, extra, committedAtMost, maxUsd } = growth;
    const grown = await this.conditional({
      counterId,
      UpdateExpression: 'SET #hold.#amount = :to ADD #committed :extra',
      ConditionExpression: `#hold.#amount = :from AND #committed <= :headroom AND ${withinCeiling}`,
      ExpressionAttributeNames: { '#hold': holdAttribute(holdId), '#amount': 'amount', '#committed': 'committed', '#max': 'max_usd' },
      ExpressionAttributeValues: { ':from': from, ':to': roundUsd(from + extra), ':extra': extra, ':headroom': committedAtMost, ':max': maxUsd },
    });
    if (grown) return true;
    // Refused: grown already by this write sent again, or no room.
    return (await this.get(counterId))?.holds[holdId]?.amount === roundUsd(from + extra);
  }

  async settleHold(settlement: HoldSettlement): Promise<CounterValues | undefined> {
    const { counterId, holdId, held, chargedUsd, requests, tokens } = settlement;
    return this.conditional({
      counterId,
      UpdateExpression: 'REMOVE #hold ADD #committed :delta, #spend :charged, #requests :requests, #tokens :tokens',
      ConditionExpression: '#hold.#amount = :held',
      ExpressionAttributeNames: { '#hold': holdAttribute(holdId), '#amount': 'amount', '#committed': 'committed', '#spend': 'spend', '#requests': 'requests', '#tokens': 'tokens' },
      ExpressionAttributeValues: { ':held': held, ':delta': roundUsd(chargedUsd - held), ':charged': chargedUsd, ':requests': requests, ':tokens': tokens },
    });
  }

  async reviseHold(revision: HoldRevision): Promise<RevisionOutcome> {
    const { counterId, holdId, from, to, chargedUsd, requests, tokens } = revision;
    const growth = roundUsd(to - from + chargedUsd);
    const names: Record<string, string> = { '#hold': holdAttribute(holdId), '#revision': 'revision', '#committed': 'committed', '#spend': 'spend', '#requests': 'requests', '#tokens': 'tokens' };
    const values: Record<string, unknown> = { ':revision': revision.revision, ':growth': growth, ':charged': chargedUsd, ':requests': requests, ':tokens': tokens };
    const conditions = ['#hold.#revision = :revision'];
    if (growth > 0) {
      Object.assign(names, { '#max': 'max_usd' });
      Object.assign(values, { ':headroom': revision.committedAtMost ?? 0, ':max': revision.maxUsd ?? 0 });
      conditions.push('#committed <= :headroom', withinCeiling);
    }
    let change = 'REMOVE #hold';
    if (to > 0) {
      Object.assign(names, { '#amount': 'amount', '#expires_at': 'expires_at' });
      Object.assign(values, { ':to': to, ':expires': revision.expiresAt, ':next': revision.revision + 1 });
      change = 'SET #hold.#amount = :to, #hold.#expires_at = :expires, #hold.#revision = :next';
    }
    const revised = await this.conditional({
      counterId,
      UpdateExpression: `${change} ADD #committed :growth, #spend :charged, #requests :requests, #tokens :tokens`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    if (revised) return { status: 'revised', values: revised };
    // Refused: written already by this revision sent again, no room to grow, or the lease is gone.
    const current = await this.get(counterId);
    const lease = current?.holds[holdId];
    if (lease?.revision === revision.revision + 1) return { status: 'revised', values: current };
    return { status: lease?.revision === revision.revision ? 'refused' : 'gone', values: current };
  }

  async reclaimExpired(counterId: string, now: number): Promise<number> {
    let reclaimed = 0;
    // Each pass removes a batch, each hold conditional on being there and expired: a hold settled or
    // reclaimed by someone else meanwhile fails the write, and the next pass reads again.
    for (let pass = 0; pass < 5; pass += 1) {
      const expired = expiredHolds(await this.get(counterId), now).slice(0, reclaimBatch);
      if (expired.length === 0) return reclaimed;
      const names: Record<string, string> = { '#committed': 'committed', '#expires_at': 'expires_at', '#amount': 'amount' };
      const values: Record<string, unknown> = { ':now': now, ':minus': roundUsd(-expired.reduce((sum, [, hold]) => sum + hold.amount, 0)) };
      const conditions: string[] = [];
      expired.forEach(([holdId, hold], index) => {
        names[`#h${index}`] = holdAttribute(holdId);
        values[`:a${index}`] = hold.amount;
        conditions.push(`#h${index}.#expires_at <= :now AND #h${index}.#amount = :a${index}`);
      });
      const removed = await this.conditional({
        counterId,
        UpdateExpression: `REMOVE ${expired.map((_, index) => `#h${index}`).join(', ')} ADD #committed :minus`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      });
      if (removed) reclaimed += expired.length;
    }
    return reclaimed;
  }

  async setCeiling(counterId: string, ceilingUsd: number | undefined, expiresAt?: number): Promise<void> {
    const expiry = expiresAt === undefined ? '' : ', #expires_at = if_not_exists(#expires_at, :expires_at)';
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: counterId },
        UpdateExpression: ceilingUsd === undefined ? 'REMOVE #max' : `SET #max = :max${expiry}`,
        ExpressionAttributeNames: { '#max': 'max_usd', ...(ceilingUsd !== undefined && expiresAt !== undefined ? { '#expires_at': 'expires_at' } : {}) },
        ...(ceilingUsd === undefined ? {} : { ExpressionAttributeValues: { ':max': ceilingUsd, ...(expiresAt === undefined ? {} : { ':expires_at': expiresAt }) } }),
      }),
      withinDeadline(this.deadlineMs),
    );
  }

  /** One conditional UpdateItem; undefined when its condition refused it. */
  private async conditional(input: Omit<UpdateCommandInput, 'TableName' | 'Key'> & { counterId: string }): Promise<CounterValues | undefined> {
    const { counterId, ...expression } = input;
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({ TableName: this.tableName, Key: { pk: counterId }, ReturnValues: 'ALL_NEW', ...expression }),
        withinDeadline(this.deadlineMs),
      );
      return toValues(Attributes);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }
}

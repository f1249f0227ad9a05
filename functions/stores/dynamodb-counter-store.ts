import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CounterStore, CounterUpdate, CounterValues } from '../core/limits/counter-store.js';
import { withinDeadline } from './dynamodb-deadline.js';

const counterFields = ['committed', 'spend', 'requests', 'tokens'] as const;
const limitChecks = [
  ['committedAtMost', 'committed', '<='],
  ['requestsBelow', 'requests', '<'],
  ['tokensBelow', 'tokens', '<'],
] as const;

const toValues = (item: Record<string, unknown> | undefined): CounterValues | undefined =>
  item
    ? {
        committed: Number(item.committed ?? 0),
        spend: Number(item.spend ?? 0),
        requests: Number(item.requests ?? 0),
        tokens: Number(item.tokens ?? 0),
      }
    : undefined;

/**
 * Budget and rate-limit counters in the budgets table: each update is one
 * UpdateItem with ADD and a condition on the values before it, so limits hold
 * under any concurrency without transactions. The client must make a single
 * attempt per update (`DynamoClients.counters`): an ADD sent again after its
 * answer was lost would count twice.
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
    const expressions = [`ADD ${additions.join(', ')}`];
    if (update.expiresAt !== undefined) {
      names['#expires_at'] = 'expires_at';
      values[':expires_at'] = update.expiresAt;
      expressions.push('SET #expires_at = if_not_exists(#expires_at, :expires_at)');
    }
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: update.counterId },
          UpdateExpression: expressions.join(' '),
          ConditionExpression: conditions.length > 0 ? conditions.join(' AND ') : undefined,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
        withinDeadline(this.deadlineMs),
      );
      return toValues(Attributes);
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }

  async get(counterId: string): Promise<CounterValues | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: counterId }, ConsistentRead: true }), withinDeadline(this.deadlineMs));
    return toValues(Item);
  }
}

import { gunzipSync, gzipSync } from 'node:zlib';
import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { ResponseStore, StoredResponse } from '../core/responses/response-store.js';
import { withinDeadline } from './dynamodb-deadline.js';

const secondsPerDay = 86_400;
/** Bytes of compressed response per item: well inside DynamoDB's 400 KB item limit, with room for the keys and attributes. */
export const responsePartBytes = 300_000;
/** BatchWriteItem's limit on requests per call. */
const batchSize = 25;
/** Attempts at a batch's unprocessed items (throttled partitions) before the write fails. */
const batchAttempts = 6;
const retryBaseMs = 25;

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

const partitionKey = (keyId: string, id: string) => `RESP#${keyId}#${id}`;
const sortKey = (part: number) => `PART#${String(part).padStart(4, '0')}`;

/** What `delete` reads: the keys, and enough to tell whether the response was complete and alive. */
const partKeySchema = z.object({ pk: z.string(), sk: z.string(), parts: z.number().int().positive(), expires_at: z.number() });
const partSchema = partKeySchema.extend({ data: z.instanceof(Uint8Array) });

const storedResponseSchema = z.object({
  id: z.string(),
  keyId: z.string(),
  createdAt: z.number(),
  response: z.record(z.string(), z.unknown()),
  inputItems: z.array(z.record(z.string(), z.unknown())),
  history: z.array(z.record(z.string(), z.unknown())),
});

/**
 * The parts of a complete, unexpired response in order, or `undefined`:
 * a partial write (a part missing) or an expired response reads as absent.
 */
const completeParts = <Part extends z.infer<typeof partKeySchema>>(parts: Part[], nowSeconds: number): Part[] | undefined => {
  const alive = parts.filter((part) => part.expires_at > nowSeconds);
  const count = alive[0]?.parts;
  if (count === undefined) return undefined;
  const bySortKey = new Map(alive.filter((part) => part.parts === count).map((part) => [part.sk, part]));
  const ordered: Part[] = [];
  for (let index = 0; index < count; index++) {
    const part = bySortKey.get(sortKey(index));
    if (!part) return undefined;
    ordered.push(part);
  }
  return ordered;
};

const chunks = <Item>(items: Item[], size: number): Item[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface DynamoDBResponseStoreOptions {
  /** Epoch milliseconds; the clock that expiry is judged by. */
  now?: () => number;
}

/**
 * Stored responses in the responses table: gzip-compressed JSON split over
 * items of at most `responsePartBytes`, one partition per key and response,
 * so a read with another key's id finds nothing. Items expire after the
 * retention period (TTL on `expires_at`, and checked on every read, since
 * TTL deletion lags).
 */
export class DynamoDBResponseStore implements ResponseStore {
  private readonly now: () => number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
    private readonly deadlineMs: number,
    options: DynamoDBResponseStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async put(stored: StoredResponse): Promise<void> {
    const compressed = gzipSync(Buffer.from(JSON.stringify(stored), 'utf8'));
    const count = Math.max(1, Math.ceil(compressed.length / responsePartBytes));
    const pk = partitionKey(stored.keyId, stored.id);
    const expiresAt = stored.createdAt + this.retentionDays * secondsPerDay;
    const requests: WriteRequest[] = Array.from({ length: count }, (_, index) => ({
      PutRequest: {
        Item: {
          pk,
          sk: sortKey(index),
          parts: count,
          data: compressed.subarray(index * responsePartBytes, (index + 1) * responsePartBytes),
          created_at: stored.createdAt,
          expires_at: expiresAt,
        },
      },
    }));
    await this.writeAll(requests);
  }

  async get(keyId: string, id: string): Promise<StoredResponse | undefined> {
    const items = await this.queryPartition(partitionKey(keyId, id));
    const parts = completeParts(items.map((item) => partSchema.parse(item)), this.nowSeconds());
    if (!parts) return undefined;
    const json = gunzipSync(Buffer.concat(parts.map((part) => part.data))).toString('utf8');
    return storedResponseSchema.parse(JSON.parse(json));
  }

  async delete(keyId: string, id: string): Promise<boolean> {
    const items = (await this.queryPartition(partitionKey(keyId, id), 'pk, sk, parts, expires_at')).map((item) => partKeySchema.parse(item));
    if (items.length === 0) return false;
    const existed = completeParts(items, this.nowSeconds()) !== undefined;
    // Expired and partial items go too: nothing of the response is left behind.
    await this.writeAll(items.map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } })));
    return existed;
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  private async queryPartition(pk: string, projection?: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ProjectionExpression: projection,
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
        withinDeadline(this.deadlineMs),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** Every request, in batches of 25 sent together, each batch's unprocessed items retried with backoff. */
  private async writeAll(requests: WriteRequest[]): Promise<void> {
    await Promise.all(chunks(requests, batchSize).map((batch) => this.writeBatch(batch)));
  }

  private async writeBatch(batch: WriteRequest[]): Promise<void> {
    let pending = batch;
    for (let attempt = 0; attempt < batchAttempts; attempt++) {
      if (attempt > 0) await pause(retryBaseMs * 2 ** (attempt - 1));
      const { UnprocessedItems } = await this.client.send(
        new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
        withinDeadline(this.deadlineMs),
      );
      pending = (UnprocessedItems?.[this.tableName] ?? []) as WriteRequest[];
      if (pending.length === 0) return;
    }
    throw new Error(`DynamoDB left ${pending.length} of ${batch.length} response items unprocessed after ${batchAttempts} attempts`);
  }
}

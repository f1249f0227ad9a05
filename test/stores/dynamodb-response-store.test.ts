import { randomBytes } from 'node:crypto';
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredResponse } from '../../functions/core/responses/response-store.js';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../functions/local/local-dynamodb.js';
import { DynamoDBResponseStore, responsePartBytes } from '../../functions/stores/dynamodb-response-store.js';

const retentionDays = 30;
const createdAt = Date.parse('2026-03-01T12:00:00.000Z') / 1000;
const dayMs = 86_400_000;
const ownerKey = 'a'.repeat(64);
const otherKey = 'b'.repeat(64);

let responses = 0;
/** A response of its own for each test, so partitions never mix. */
const storedResponse = (overrides: Partial<StoredResponse> = {}): StoredResponse => {
  const id = `resp_${(responses += 1)}`;
  return {
    id,
    keyId: ownerKey,
    createdAt,
    response: {
      id,
      object: 'response',
      created_at: createdAt,
      status: 'completed',
      model: 'echo',
      output: [{ type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Bonjour — ça va ? 👋', annotations: [] }] }],
      usage: { input_tokens: 12, output_tokens: 7, total_tokens: 19 },
      metadata: { session: 'one' },
    },
    inputItems: [{ type: 'message', id: 'msg_0', role: 'user', content: [{ type: 'input_text', text: 'Say hello in French.' }] }],
    history: [
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Earlier.' }] },
      { type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' },
      { type: 'function_call_output', call_id: 'call_1', output: '{"found":null}' },
    ],
    ...overrides,
  };
};

/** More than 1 MB of JSON that gzip cannot shrink much: random bytes as base64 text in an input item. */
const largeResponse = (): StoredResponse =>
  storedResponse({ inputItems: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: randomBytes(800_000).toString('base64') }] }] });

describe('DynamoDBResponseStore (dynalite)', () => {
  let dynamo: LocalDynamoDB;
  let store: DynamoDBResponseStore;
  const storeAt = (nowMs: number) => new DynamoDBResponseStore(dynamo.clients.documents, dynamo.tableNames.responses, retentionDays, 60_000, { now: () => nowMs });

  /** The partition's items as DynamoDB holds them, read past the store. */
  const rawItems = async (stored: StoredResponse) => {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.clients.documents.send(
        new QueryCommand({
          TableName: dynamo.tableNames.responses,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `RESP#${stored.keyId}#${stored.id}` },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  };

  beforeAll(async () => {
    dynamo = await startLocalDynamoDB(':memory:', 60_000);
    store = storeAt(createdAt * 1000 + dayMs);
  });
  afterAll(async () => {
    await dynamo?.close();
  });

  it('puts a response and reads it back exactly', async () => {
    const stored = storedResponse();

    await store.put(stored);

    expect(await store.get(ownerKey, stored.id)).toStrictEqual(stored);
    const items = await rawItems(stored);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ sk: 'PART#0000', parts: 1, created_at: createdAt, expires_at: createdAt + retentionDays * 86_400 });
    expect(items[0]?.data).toBeInstanceOf(Uint8Array);
  });

  it('splits a response of more than 1 MB of JSON over several parts of at most 300,000 bytes and reads it back whole', async () => {
    const stored = largeResponse();
    expect(JSON.stringify(stored).length).toBeGreaterThan(1_000_000);

    await store.put(stored);

    const items = await rawItems(stored);
    expect(items.length).toBeGreaterThan(1);
    expect(items.map((item) => item.sk)).toEqual(items.map((_, index) => `PART#${String(index).padStart(4, '0')}`));
    for (const item of items) {
      expect(item.parts).toBe(items.length);
      expect((item.data as Uint8Array).length).toBeLessThanOrEqual(responsePartBytes);
    }
    expect(await store.get(ownerKey, stored.id)).toStrictEqual(stored);
  });

  it("finds nothing under another key's id: get is undefined, delete is false, and the owner still reads it", async () => {
    const stored = storedResponse();
    await store.put(stored);

    expect(await store.get(otherKey, stored.id)).toBeUndefined();
    expect(await store.delete(otherKey, stored.id)).toBe(false);

    expect(await store.get(ownerKey, stored.id)).toStrictEqual(stored);
    expect(await rawItems(stored)).toHaveLength(1);
  });

  it('deletes every part of a response, and a second delete finds nothing', async () => {
    const stored = largeResponse();
    await store.put(stored);
    expect((await rawItems(stored)).length).toBeGreaterThan(1);

    expect(await store.delete(ownerKey, stored.id)).toBe(true);

    expect(await rawItems(stored)).toHaveLength(0);
    expect(await store.get(ownerKey, stored.id)).toBeUndefined();
    expect(await store.delete(ownerKey, stored.id)).toBe(false);
  });

  it('reads a response past its retention as absent, though DynamoDB still holds it', async () => {
    const stored = storedResponse();
    await store.put(stored);
    const expiry = (createdAt + retentionDays * 86_400) * 1000;

    expect(await storeAt(expiry - 1000).get(ownerKey, stored.id)).toStrictEqual(stored);
    expect(await storeAt(expiry).get(ownerKey, stored.id)).toBeUndefined();
    expect(await storeAt(expiry + dayMs).get(ownerKey, stored.id)).toBeUndefined();
    expect(await rawItems(stored)).toHaveLength(1);

    // Deleting an expired response clears what is left of it but reports nothing deleted.
    expect(await storeAt(expiry + dayMs).delete(ownerKey, stored.id)).toBe(false);
    expect(await rawItems(stored)).toHaveLength(0);
  });

  it('reads a partially written response (one part missing) as absent', async () => {
    const stored = largeResponse();
    await store.put(stored);
    const items = await rawItems(stored);
    expect(items.length).toBeGreaterThan(2);

    await dynamo.clients.documents.send(new DeleteCommand({ TableName: dynamo.tableNames.responses, Key: { pk: items[1]?.pk, sk: items[1]?.sk } }));

    expect(await store.get(ownerKey, stored.id)).toBeUndefined();
    expect(await store.delete(ownerKey, stored.id)).toBe(false);
    expect(await rawItems(stored)).toHaveLength(0);
  });
});

import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient as SdkDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../functions/aws/aws-service-error.js';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../functions/local/local-dynamodb.js';
import type { DynamoDBDocumentClient } from '../../functions/stores/dynamodb-client.js';

const table = 'documents';

describe('DynamoDBDocumentClient against dynalite', () => {
  let dynamo: LocalDynamoDB;
  let client: DynamoDBDocumentClient;
  /** The AWS SDK's own clients on the same dynalite: what the items look like to anyone else. */
  let sdk: DynamoDBClient;
  let sdkDocuments: SdkDocumentClient;

  beforeAll(async () => {
    dynamo = await startLocalDynamoDB(':memory:');
    client = dynamo.client;
    sdk = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    sdkDocuments = SdkDocumentClient.from(sdk);
    await client.createTable({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
  });

  afterAll(async () => {
    sdk?.destroy();
    await dynamo?.close();
  });

  it('describes a table it created, and names a missing one as the SDK does', async () => {
    // Act
    const described = await client.describeTable({ TableName: table });
    const missing = await client.describeTable({ TableName: 'no-such-table' }).catch((error: unknown) => error);

    // Assess
    expect(described.Table).toMatchObject({ TableName: table, TableStatus: 'ACTIVE' });
    expect(missing).toBeInstanceOf(AwsServiceError);
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
  });

  it('puts and gets plain values: strings, numbers, booleans, null, nested maps and lists, dropping undefined', async () => {
    // Prepare
    const item = {
      pk: 'plain',
      sk: 1,
      text: 'héllo',
      integer: 42,
      fraction: 0.000512,
      negative: -3.5,
      yes: true,
      no: false,
      nothing: null,
      dropped: undefined,
      nested: { models: ['echo', 'relay'], limits: { rpm: 60, blocked: false, dropped: undefined }, empty: {} },
      list: [1, 'two', { three: 3 }, [4]],
    };

    // Act
    await client.put({ TableName: table, Item: item });
    const { Item } = await client.get({ TableName: table, Key: { pk: 'plain', sk: 1 }, ConsistentRead: true });

    // Assess
    const { dropped: _dropped, ...stored } = item;
    const expected = { ...stored, nested: { ...stored.nested, limits: { rpm: 60, blocked: false } } };
    expect(Item).toEqual(expected);
    expect(Item).not.toHaveProperty('dropped');
    // The AWS SDK reads the same item back, and sees the wire types it would have written itself.
    expect((await sdkDocuments.send(new GetCommand({ TableName: table, Key: { pk: 'plain', sk: 1 } }))).Item).toEqual(expected);
    const raw = (await sdk.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'plain' }, sk: { N: '1' } } }))).Item;
    expect(raw).toMatchObject({ fraction: { N: '0.000512' }, yes: { BOOL: true }, nothing: { NULL: true }, list: { L: [{ N: '1' }, { S: 'two' }, { M: { three: { N: '3' } } }, { L: [{ N: '4' }] }] } });
  });

  it('answers a get of a missing item with no Item', async () => {
    // Act
    const output = await client.get({ TableName: table, Key: { pk: 'absent', sk: 0 } });

    // Assess
    expect(output.Item).toBeUndefined();
  });

  it('returns the old item from a put and the new one from an update, as ReturnValues asks', async () => {
    // Prepare
    await client.put({ TableName: table, Item: { pk: 'counter', sk: 1, spend: 1.25, label: 'first' } });

    // Act
    const replaced = await client.put({ TableName: table, Item: { pk: 'counter', sk: 1, spend: 2 }, ReturnValues: 'ALL_OLD' });
    const updated = await client.update({
      TableName: table,
      Key: { pk: 'counter', sk: 1 },
      UpdateExpression: 'ADD #spend :spend SET #tags = :tags, #expires_at = if_not_exists(#expires_at, :expires_at)',
      ExpressionAttributeNames: { '#spend': 'spend', '#tags': 'tags', '#expires_at': 'expires_at' },
      ExpressionAttributeValues: { ':spend': 0.5, ':tags': { team: 'a', seats: [1, 2] }, ':expires_at': 2_000_000_000 },
      ReturnValues: 'ALL_NEW',
    });
    const quiet = await client.update({
      TableName: table,
      Key: { pk: 'counter', sk: 1 },
      UpdateExpression: 'ADD #spend :spend',
      ExpressionAttributeNames: { '#spend': 'spend' },
      ExpressionAttributeValues: { ':spend': 1 },
    });

    // Assess
    expect(replaced.Attributes).toEqual({ pk: 'counter', sk: 1, spend: 1.25, label: 'first' });
    expect(updated.Attributes).toEqual({ pk: 'counter', sk: 1, spend: 2.5, tags: { team: 'a', seats: [1, 2] }, expires_at: 2_000_000_000 });
    expect(quiet.Attributes).toBeUndefined();
  });

  it('surfaces a failed condition as ConditionalCheckFailedException, on put, update and delete', async () => {
    // Prepare
    await client.put({ TableName: table, Item: { pk: 'guarded', sk: 1, committed: 5 } });

    // Act
    const put = await client.put({ TableName: table, Item: { pk: 'guarded', sk: 1 }, ConditionExpression: 'attribute_not_exists(pk)' }).catch((error: unknown) => error);
    const update = await client
      .update({
        TableName: table,
        Key: { pk: 'guarded', sk: 1 },
        UpdateExpression: 'ADD #committed :amount',
        ConditionExpression: '#committed <= :atMost',
        ExpressionAttributeNames: { '#committed': 'committed' },
        ExpressionAttributeValues: { ':amount': 1, ':atMost': 4 },
        ReturnValues: 'ALL_NEW',
      })
      .catch((error: unknown) => error);
    const remove = await client
      .delete({ TableName: table, Key: { pk: 'guarded', sk: 1 }, ConditionExpression: '#committed = :other', ExpressionAttributeNames: { '#committed': 'committed' }, ExpressionAttributeValues: { ':other': 6 } })
      .catch((error: unknown) => error);

    // Assess
    for (const error of [put, update, remove]) {
      expect(error).toBeInstanceOf(AwsServiceError);
      expect(error).toMatchObject({ name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } });
    }
    expect((await client.get({ TableName: table, Key: { pk: 'guarded', sk: 1 } })).Item).toEqual({ pk: 'guarded', sk: 1, committed: 5 });
  });

  it('deletes an item, returning it with ALL_OLD, and nothing for an item that was not there', async () => {
    // Prepare
    await client.put({ TableName: table, Item: { pk: 'doomed', sk: 1, note: 'bye' } });

    // Act
    const deleted = await client.delete({ TableName: table, Key: { pk: 'doomed', sk: 1 }, ReturnValues: 'ALL_OLD' });
    const again = await client.delete({ TableName: table, Key: { pk: 'doomed', sk: 1 }, ReturnValues: 'ALL_OLD' });

    // Assess
    expect(deleted.Attributes).toEqual({ pk: 'doomed', sk: 1, note: 'bye' });
    expect(again.Attributes).toBeUndefined();
    expect((await client.get({ TableName: table, Key: { pk: 'doomed', sk: 1 } })).Item).toBeUndefined();
  });

  it('pages a query newest first, with plain LastEvaluatedKeys that continue where it stopped', async () => {
    // Prepare
    for (let sk = 1; sk <= 5; sk += 1) await client.put({ TableName: table, Item: { pk: 'paged', sk, odd: sk % 2 === 1 } });
    const pages: Array<{ sks: unknown[]; lastKey: Record<string, unknown> | undefined }> = [];

    // Act
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.query({
        TableName: table,
        KeyConditionExpression: '#pk = :pk AND #sk >= :from',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': 'paged', ':from': 1 },
        ScanIndexForward: false,
        Limit: 2,
        ExclusiveStartKey: startKey,
      });
      pages.push({ sks: page.Items.map((item) => item.sk), lastKey: page.LastEvaluatedKey });
      startKey = page.LastEvaluatedKey;
    } while (startKey);

    // Assess
    expect(pages.map((page) => page.sks)).toEqual([[5, 4], [3, 2], [1]]);
    expect(pages[0].lastKey).toEqual({ pk: 'paged', sk: 4 });
    expect(pages[1].lastKey).toEqual({ pk: 'paged', sk: 2 });
    expect(pages.at(-1)?.lastKey).toBeUndefined();
  });

  it('filters a query and a scan on plain values, paging the scan to the end', async () => {
    // Act
    const odd = await client.query({
      TableName: table,
      KeyConditionExpression: '#pk = :pk',
      FilterExpression: '#odd = :odd',
      ExpressionAttributeNames: { '#pk': 'pk', '#odd': 'odd' },
      ExpressionAttributeValues: { ':pk': 'paged', ':odd': true },
    });
    const scanned: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    let pages = 0;
    do {
      const page = await client.scan({ TableName: table, FilterExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': 'pk' }, ExpressionAttributeValues: { ':pk': 'paged' }, Limit: 3, ExclusiveStartKey: startKey });
      scanned.push(...page.Items);
      startKey = page.LastEvaluatedKey;
      pages += 1;
    } while (startKey);

    // Assess
    expect(odd.Items.map((item) => item.sk)).toEqual([1, 3, 5]);
    expect(odd.Count).toBe(3);
    expect(odd.ScannedCount).toBe(5);
    expect(scanned.map((item) => item.sk).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(pages).toBeGreaterThan(1);
  });
});

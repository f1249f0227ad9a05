import { DeleteCommand, GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RecordExistsError, RecordNotFoundError, type RecordStore } from '../core/keys/key-record.js';
import type { ItemMapping } from './access-items.js';
import { withinDeadline } from './dynamodb-deadline.js';

/** Keys or teams in the keys table, one item per record. */
export class DynamoDBRecordStore<Value> implements RecordStore<Value> {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly mapping: ItemMapping<Value>,
    private readonly deadlineMs: number,
  ) {}

  async get(id: string): Promise<Value | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: this.mapping.partitionKey(id) } }), withinDeadline(this.deadlineMs));
    return Item ? this.mapping.fromItem(Item) : undefined;
  }

  async create(record: Value): Promise<void> {
    await this.conditionalPut(record, 'attribute_not_exists(pk)', () => new RecordExistsError());
  }

  async replace(record: Value): Promise<void> {
    await this.conditionalPut(record, 'attribute_exists(pk)', () => new RecordNotFoundError());
  }

  async delete(id: string): Promise<boolean> {
    const { Attributes } = await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: this.mapping.partitionKey(id) }, ReturnValues: 'ALL_OLD' }),
      withinDeadline(this.deadlineMs),
    );
    return Attributes !== undefined;
  }

  async list(): Promise<Value[]> {
    const records: Value[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: '#type = :type',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':type': this.mapping.type },
          ExclusiveStartKey: startKey,
        }),
        withinDeadline(this.deadlineMs),
      );
      for (const item of page.Items ?? []) records.push(this.mapping.fromItem(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records;
  }

  private async conditionalPut(record: Value, condition: string, failure: () => Error): Promise<void> {
    const item = { pk: this.mapping.partitionKey(this.mapping.idOf(record)), type: this.mapping.type, ...this.mapping.toItem(record) };
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: condition }), withinDeadline(this.deadlineMs));
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') throw failure();
      throw error;
    }
  }
}

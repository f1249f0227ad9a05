import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { KeyExistsError, KeyNotFoundError, type KeyRecord, type KeyStore } from '../core/keys/key-record.js';

const keyPartition = (keyId: string) => `KEY#${keyId}`;

/** The stored item, validated when read back: the table is outside input too. */
const keyItemSchema = z.object({
  key_id: z.string(),
  key_hint: z.string(),
  key_alias: z.string().optional(),
  team_id: z.string().optional(),
  models: z.array(z.string()).default([]),
  mcp_servers: z.array(z.string()).default([]),
  knowledge_bases: z.array(z.string()).default([]),
  max_budget: z.number().optional(),
  budget_duration: z.string().optional(),
  soft_budget: z.number().optional(),
  rpm_limit: z.number().optional(),
  tpm_limit: z.number().optional(),
  expires: z.string().optional(),
  blocked: z.boolean().default(false),
  metadata: z.record(z.string(), z.unknown()).default({}),
  created_at: z.string(),
  updated_at: z.string(),
});

const toItem = (record: KeyRecord) => ({
  pk: keyPartition(record.keyId),
  type: 'key',
  key_id: record.keyId,
  key_hint: record.keyHint,
  key_alias: record.keyAlias,
  team_id: record.teamId,
  models: record.models,
  mcp_servers: record.mcpServers,
  knowledge_bases: record.knowledgeBases,
  max_budget: record.maxBudget,
  budget_duration: record.budgetDuration,
  soft_budget: record.softBudget,
  rpm_limit: record.rpmLimit,
  tpm_limit: record.tpmLimit,
  expires: record.expires,
  blocked: record.blocked,
  metadata: record.metadata,
  created_at: record.createdAt,
  updated_at: record.updatedAt,
});

const fromItem = (item: Record<string, unknown>): KeyRecord => {
  const stored = keyItemSchema.parse(item);
  return {
    keyId: stored.key_id,
    keyHint: stored.key_hint,
    keyAlias: stored.key_alias,
    teamId: stored.team_id,
    models: stored.models,
    mcpServers: stored.mcp_servers,
    knowledgeBases: stored.knowledge_bases,
    maxBudget: stored.max_budget,
    budgetDuration: stored.budget_duration,
    softBudget: stored.soft_budget,
    rpmLimit: stored.rpm_limit,
    tpmLimit: stored.tpm_limit,
    expires: stored.expires,
    blocked: stored.blocked,
    metadata: stored.metadata,
    createdAt: stored.created_at,
    updatedAt: stored.updated_at,
  };
};

/** Virtual keys in the keys table, one item per key keyed by its hash. */
export class DynamoDBKeyStore implements KeyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(keyId: string): Promise<KeyRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: keyPartition(keyId) } }));
    return Item ? fromItem(Item) : undefined;
  }

  async create(record: KeyRecord): Promise<void> {
    await this.conditionalPut(record, 'attribute_not_exists(pk)', new KeyExistsError());
  }

  async replace(record: KeyRecord): Promise<void> {
    await this.conditionalPut(record, 'attribute_exists(pk)', new KeyNotFoundError());
  }

  async delete(keyId: string): Promise<boolean> {
    const { Attributes } = await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: keyPartition(keyId) }, ReturnValues: 'ALL_OLD' }),
    );
    return Attributes !== undefined;
  }

  async list(): Promise<KeyRecord[]> {
    const records: KeyRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: '#type = :key',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':key': 'key' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) records.push(fromItem(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records;
  }

  private async conditionalPut(record: KeyRecord, condition: string, failure: Error): Promise<void> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: toItem(record), ConditionExpression: condition }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException') throw failure;
      throw error;
    }
  }
}

import { CreateTableCommand, DescribeTableCommand, type CreateTableCommandInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { tableDefinitions, type TableDefinition } from './table-definitions.js';

/** The CreateTable input for a definition (local mode; the stack builds the same tables). */
export const createTableInput = (definition: TableDefinition, tableName: string): CreateTableCommandInput => {
  const keyAttributes = [definition.partitionKey, definition.sortKey, ...definition.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey])]
    .filter((attribute) => attribute !== undefined);
  const attributeDefinitions = [...new Map(keyAttributes.map((attribute) => [attribute.name, attribute])).values()];
  const keySchema = (partitionKey: { name: string }, sortKey?: { name: string }) => [
    { AttributeName: partitionKey.name, KeyType: 'HASH' as const },
    ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: attributeDefinitions.map((attribute) => ({ AttributeName: attribute.name, AttributeType: attribute.type })),
    KeySchema: keySchema(definition.partitionKey, definition.sortKey),
    ...(definition.globalSecondaryIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
};

/** Creates any missing table, named `<prefix><id>` (e.g. `tollway-Keys`). */
export const ensureTables = async (client: DynamoDBClient, prefix: string): Promise<Record<TableDefinition['id'], string>> => {
  const names = {} as Record<TableDefinition['id'], string>;
  for (const definition of tableDefinitions) {
    const tableName = `${prefix}${definition.id}`;
    names[definition.id] = tableName;
    try {
      await client.send(new DescribeTableCommand({ TableName: tableName }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
      await client.send(new CreateTableCommand(createTableInput(definition, tableName)));
    }
  }
  return names;
};

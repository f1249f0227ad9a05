import { marshall, unmarshall, type convertToNative } from '@aws-sdk/util-dynamodb';
import * as z from 'zod';
import { AwsClient, callJsonOperation } from '../aws/aws-client.js';
import type { CredentialProvider } from '../aws/credentials.js';

/** An item, a key or expression values as plain JavaScript values (`{ pk: 'KEY#...', spend: 1.5 }`). */
export type DocumentItem = Record<string, unknown>;

type AttributeValue = Parameters<typeof convertToNative>[0];
type WireItem = Record<string, AttributeValue>;

type ReturnValue = 'NONE' | 'ALL_OLD' | 'UPDATED_OLD' | 'ALL_NEW' | 'UPDATED_NEW';

interface ExpressionInput {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: DocumentItem;
}

export interface GetInput {
  TableName: string;
  Key: DocumentItem;
  ConsistentRead?: boolean;
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
}

export interface PutInput extends ExpressionInput {
  TableName: string;
  Item: DocumentItem;
  ConditionExpression?: string;
  ReturnValues?: 'NONE' | 'ALL_OLD';
  ReturnValuesOnConditionCheckFailure?: 'NONE' | 'ALL_OLD';
}

export interface UpdateInput extends ExpressionInput {
  TableName: string;
  Key: DocumentItem;
  UpdateExpression: string;
  ConditionExpression?: string;
  ReturnValues?: ReturnValue;
  ReturnValuesOnConditionCheckFailure?: 'NONE' | 'ALL_OLD';
}

export interface DeleteInput extends ExpressionInput {
  TableName: string;
  Key: DocumentItem;
  ConditionExpression?: string;
  ReturnValues?: 'NONE' | 'ALL_OLD';
  ReturnValuesOnConditionCheckFailure?: 'NONE' | 'ALL_OLD';
}

interface ReadManyInput extends ExpressionInput {
  TableName: string;
  IndexName?: string;
  FilterExpression?: string;
  ProjectionExpression?: string;
  ConsistentRead?: boolean;
  Limit?: number;
  ExclusiveStartKey?: DocumentItem;
}

export interface QueryInput extends ReadManyInput {
  KeyConditionExpression: string;
  ScanIndexForward?: boolean;
}

export interface ScanInput extends ReadManyInput {
  Segment?: number;
  TotalSegments?: number;
}

export interface ItemOutput {
  Item?: DocumentItem;
}

export interface AttributesOutput {
  Attributes?: DocumentItem;
}

export interface ItemsOutput {
  Items: DocumentItem[];
  Count?: number;
  ScannedCount?: number;
  LastEvaluatedKey?: DocumentItem;
}

interface KeySchemaElement {
  AttributeName: string;
  KeyType: 'HASH' | 'RANGE';
}

export interface CreateTableInput {
  TableName: string;
  BillingMode?: 'PAY_PER_REQUEST' | 'PROVISIONED';
  AttributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  KeySchema: KeySchemaElement[];
  GlobalSecondaryIndexes?: { IndexName: string; KeySchema: KeySchemaElement[]; Projection: { ProjectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; NonKeyAttributes?: string[] } }[];
}

const wireItemSchema = z.record(
  z.string(),
  z.custom<AttributeValue>((value) => typeof value === 'object' && value !== null && !Array.isArray(value)),
);

/** The item-carrying members of every item operation's answer. */
const itemOutputSchema = z.object({
  Item: wireItemSchema.optional(),
  Attributes: wireItemSchema.optional(),
  Items: z.array(wireItemSchema).optional(),
  Count: z.number().optional(),
  ScannedCount: z.number().optional(),
  LastEvaluatedKey: wireItemSchema.optional(),
});

const tableDescriptionSchema = z.looseObject({ TableName: z.string().optional(), TableStatus: z.string().optional() });
const describeTableOutputSchema = z.object({ Table: tableDescriptionSchema.optional() });
const createTableOutputSchema = z.object({ TableDescription: tableDescriptionSchema.optional() });

// Undefined attributes are dropped, not rejected; class instances are refused rather than stored as maps.
const marshallOptions = { removeUndefinedValues: true, convertClassInstanceToMap: false };

const toWire = (item: DocumentItem): WireItem => marshall(item, marshallOptions);
const fromWire = (item: WireItem | undefined): DocumentItem | undefined => (item ? unmarshall(item) : undefined);

/** The members lib-dynamodb marshals on the way in: keys, items, expression values, page keys. */
const documentMembers = ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const;

const toWireInput = (input: Partial<Record<(typeof documentMembers)[number], DocumentItem>>): Record<string, unknown> => {
  const wire: Record<string, unknown> = { ...input };
  for (const member of documentMembers) {
    const value = input[member];
    if (value !== undefined) wire[member] = toWire(value);
  }
  return wire;
};

export interface DynamoDBClientOptions {
  region: string;
  /** Another endpoint than the regional one (dynalite, a test proxy). */
  endpoint?: string;
  credentials?: CredentialProvider;
  /** Attempts per call: throttling, server faults and lost connections are tried again. */
  maxAttempts?: number;
}

/**
 * The DynamoDB operations the stores use, over the JSON 1.0 protocol with
 * `AwsClient`, taking and giving plain JavaScript values as lib-dynamodb's
 * commands do. Failures are `AwsServiceError`s named as the SDK names them
 * (`ConditionalCheckFailedException`, `ResourceNotFoundException`).
 */
export class DynamoDBDocumentClient {
  constructor(private readonly client: AwsClient) {}

  async get(input: GetInput): Promise<ItemOutput> {
    const output = itemOutputSchema.parse(await this.call('GetItem', toWireInput(input)));
    return { Item: fromWire(output.Item) };
  }

  async put(input: PutInput): Promise<AttributesOutput> {
    const output = itemOutputSchema.parse(await this.call('PutItem', toWireInput(input)));
    return { Attributes: fromWire(output.Attributes) };
  }

  async update(input: UpdateInput): Promise<AttributesOutput> {
    const output = itemOutputSchema.parse(await this.call('UpdateItem', toWireInput(input)));
    return { Attributes: fromWire(output.Attributes) };
  }

  async delete(input: DeleteInput): Promise<AttributesOutput> {
    const output = itemOutputSchema.parse(await this.call('DeleteItem', toWireInput(input)));
    return { Attributes: fromWire(output.Attributes) };
  }

  async query(input: QueryInput): Promise<ItemsOutput> {
    return itemsOutputOf(await this.call('Query', toWireInput(input)));
  }

  async scan(input: ScanInput): Promise<ItemsOutput> {
    return itemsOutputOf(await this.call('Scan', toWireInput(input)));
  }

  async createTable(input: CreateTableInput): Promise<z.infer<typeof createTableOutputSchema>> {
    return createTableOutputSchema.parse(await this.call('CreateTable', input));
  }

  async describeTable(input: { TableName: string }): Promise<z.infer<typeof describeTableOutputSchema>> {
    return describeTableOutputSchema.parse(await this.call('DescribeTable', input));
  }

  private call(operation: string, input: object): Promise<unknown> {
    return callJsonOperation(this.client, `DynamoDB_20120810.${operation}`, input, { version: '1.0' });
  }
}

const itemsOutputOf = (answer: unknown): ItemsOutput => {
  const output = itemOutputSchema.parse(answer);
  return {
    Items: (output.Items ?? []).map((item) => unmarshall(item)),
    Count: output.Count,
    ScannedCount: output.ScannedCount,
    LastEvaluatedKey: fromWire(output.LastEvaluatedKey),
  };
};

/** A document client for DynamoDB in `region` (or at `endpoint`). */
export const createDynamoDBClient = (options: DynamoDBClientOptions): DynamoDBDocumentClient =>
  new DynamoDBDocumentClient(new AwsClient({ service: 'dynamodb', ...options }));

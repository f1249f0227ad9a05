import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  budgetsTable,
  keysTable,
  responsesTable,
  tableDefinitions,
  usageTable,
  type AttributeDefinition,
  type TableDefinition,
} from '../functions/stores/table-definitions.js';

const toAttribute = (definition: AttributeDefinition): Attribute => ({
  name: definition.name,
  type: definition.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/**
 * The keys, budgets, usage and responses tables, built from the table
 * definitions the local server also uses. On-demand, point-in-time recovery,
 * retained when the stack is deleted: they hold the organisation's keys,
 * spend history and stored conversations.
 */
export class DataTables extends Construct {
  public readonly keys: Table;
  public readonly budgets: Table;
  public readonly usage: Table;
  public readonly responses: Table;
  /** Every table by its definition's id (`Keys`, `Budgets`...). */
  public readonly byId: Record<TableDefinition['id'], Table>;
  /** Every table's name under the environment variable its definition names. */
  public readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const tables = new Map<TableDefinition['id'], Table>();
    for (const definition of tableDefinitions) {
      tables.set(definition.id, this.createTable(definition));
    }
    const tableFor = (definition: TableDefinition): Table => {
      const table = tables.get(definition.id);
      if (!table) throw new Error(`table ${definition.id} is missing from tableDefinitions`);
      return table;
    };
    this.keys = tableFor(keysTable);
    this.budgets = tableFor(budgetsTable);
    this.usage = tableFor(usageTable);
    this.responses = tableFor(responsesTable);
    this.byId = { Keys: this.keys, Budgets: this.budgets, Usage: this.usage, Responses: this.responses };
    this.environment = Object.fromEntries(tableDefinitions.map((definition) => [definition.environmentVariable, tableFor(definition).tableName]));
  }

  private createTable(definition: TableDefinition): Table {
    const table = new Table(this, definition.id, {
      partitionKey: toAttribute(definition.partitionKey),
      sortKey: definition.sortKey && toAttribute(definition.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: definition.timeToLiveAttribute,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of definition.globalSecondaryIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: toAttribute(index.partitionKey),
        sortKey: index.sortKey && toAttribute(index.sortKey),
        projectionType: ProjectionType.ALL,
      });
    }
    return table;
  }
}

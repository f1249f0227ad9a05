/**
 * The one definition of every metric Tollway emits: the code that emits and
 * the CDK that draws dashboards and alarms both read it. Dimensions stay
 * low-cardinality: never a key or a user.
 */

export const metricNamespace = 'Tollway';

export type MetricUnit = 'Count' | 'Milliseconds' | 'None';

export type DimensionName = 'model' | 'provider' | 'team' | 'server' | 'knowledge_base';

export interface MetricDefinition {
  unit: MetricUnit;
  /** The dimension set the metric is emitted with (one EMF dimension set). */
  dimensions: readonly DimensionName[];
  description: string;
}

export const metricDefinitions = {
  Requests: { unit: 'Count', dimensions: ['model'], description: 'completion requests admitted' },
  Errors: { unit: 'Count', dimensions: ['model'], description: 'completion requests that failed' },
  Latency: { unit: 'Milliseconds', dimensions: ['model'], description: 'request latency, arrival to last byte' },
  TimeToFirstToken: { unit: 'Milliseconds', dimensions: ['model'], description: 'arrival to first streamed token' },
  GatewayOverhead: { unit: 'Milliseconds', dimensions: ['model'], description: 'gateway time excluding the upstream' },
  InputTokens: { unit: 'Count', dimensions: ['model'], description: 'input tokens, cached included' },
  OutputTokens: { unit: 'Count', dimensions: ['model'], description: 'output tokens' },
  CostUSD: { unit: 'None', dimensions: ['model'], description: 'cost in USD' },
  RateLimited: { unit: 'Count', dimensions: ['model'], description: 'requests refused by rpm/tpm limits' },
  BudgetRejected: { unit: 'Count', dimensions: ['model'], description: 'requests refused by budgets' },
  Retries: { unit: 'Count', dimensions: ['model'], description: 'upstream attempts after the first' },
  Fallbacks: { unit: 'Count', dimensions: ['model'], description: 'requests served by a fallback model' },
  Cooldowns: { unit: 'Count', dimensions: ['model'], description: 'deployments put in cooldown' },
  SoftBudgetCrossed: { unit: 'Count', dimensions: ['team'], description: 'a key or team crossed its soft budget' },
  ToolCalls: { unit: 'Count', dimensions: ['server'], description: 'MCP tool calls' },
  ToolErrors: { unit: 'Count', dimensions: ['server'], description: 'MCP tool calls that failed or returned isError' },
  ToolLatency: { unit: 'Milliseconds', dimensions: ['server'], description: 'MCP tool call latency' },
  Retrievals: { unit: 'Count', dimensions: ['knowledge_base'], description: 'knowledge base retrievals' },
  RetrievalLatency: { unit: 'Milliseconds', dimensions: ['knowledge_base'], description: 'knowledge base retrieval latency' },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof metricDefinitions;

/** The dimensions a metric takes, by name. */
export type DimensionsOf<Name extends MetricName> = Record<(typeof metricDefinitions)[Name]['dimensions'][number], string>;

/** Port: where metrics go (Powertools EMF on Lambda, EMF lines or nowhere locally). */
export interface GatewayMetrics {
  record<Name extends MetricName>(name: Name, value: number, dimensions: DimensionsOf<Name>): void;
}

export const noMetrics: GatewayMetrics = { record: () => undefined };

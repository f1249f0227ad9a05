/**
 * The one definition of every metric Tollway emits: the code that emits and
 * the CDK that draws dashboards and alarms both read it. Dimensions stay
 * low-cardinality: never a key or a user.
 */

export const metricNamespace = 'Tollway';

export type MetricUnit = 'Count' | 'Milliseconds' | 'None';

export type DimensionName = 'model' | 'team' | 'server' | 'knowledge_base';

export interface MetricDefinition {
  unit: MetricUnit;
  /** The dimension sets the metric is emitted with; each record uses exactly one. */
  dimensionSets: readonly (readonly DimensionName[])[];
  description: string;
}

const byModel = [['model']] as const;
const byModelAndTeam = [['model'], ['team']] as const;
const byServer = [['server']] as const;
const byKnowledgeBase = [['knowledge_base']] as const;

export const metricDefinitions = {
  Requests: { unit: 'Count', dimensionSets: byModelAndTeam, description: 'completion requests admitted' },
  Errors: { unit: 'Count', dimensionSets: byModel, description: 'admitted completion requests that failed' },
  Latency: { unit: 'Milliseconds', dimensionSets: byModel, description: 'request latency, arrival to last byte' },
  TimeToFirstToken: { unit: 'Milliseconds', dimensionSets: byModel, description: 'arrival to first streamed token' },
  GatewayOverhead: { unit: 'Milliseconds', dimensionSets: byModel, description: 'gateway time excluding the upstream' },
  InputTokens: { unit: 'Count', dimensionSets: byModelAndTeam, description: 'input tokens, cached included' },
  OutputTokens: { unit: 'Count', dimensionSets: byModelAndTeam, description: 'output tokens' },
  CostUSD: { unit: 'None', dimensionSets: byModelAndTeam, description: 'cost in USD' },
  RateLimited: { unit: 'Count', dimensionSets: byModel, description: 'requests refused by rpm/tpm limits' },
  BudgetRejected: { unit: 'Count', dimensionSets: byModel, description: 'requests refused by budgets' },
  SoftBudgetCrossed: { unit: 'Count', dimensionSets: [['team']], description: 'a key or team crossed its soft budget' },
  Retries: { unit: 'Count', dimensionSets: byModel, description: 'upstream attempts after the first' },
  Fallbacks: { unit: 'Count', dimensionSets: byModel, description: 'requests served by a fallback model' },
  Cooldowns: { unit: 'Count', dimensionSets: byModel, description: 'deployments put in cooldown' },
  SettlementOverage: { unit: 'Count', dimensionSets: byModel, description: 'completions whose reported cost exceeded their hold (charged the hold)' },
  GuardrailInterventions: { unit: 'Count', dimensionSets: byModel, description: 'answers a guardrail or content filter blocked (finish_reason content_filter)' },
  ToolCalls: { unit: 'Count', dimensionSets: byServer, description: 'MCP tool calls' },
  ToolErrors: { unit: 'Count', dimensionSets: byServer, description: 'MCP tool calls that failed or returned isError' },
  ToolLatency: { unit: 'Milliseconds', dimensionSets: byServer, description: 'MCP tool call latency' },
  Retrievals: { unit: 'Count', dimensionSets: byKnowledgeBase, description: 'knowledge base retrievals' },
  RetrievalLatency: { unit: 'Milliseconds', dimensionSets: byKnowledgeBase, description: 'knowledge base retrieval latency' },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof metricDefinitions;

type SetsOf<Name extends MetricName> = (typeof metricDefinitions)[Name]['dimensionSets'][number];

/** The dimensions a metric takes: one of its dimension sets, every name given. */
export type DimensionsOf<Name extends MetricName> = SetsOf<Name> extends infer Set
  ? Set extends readonly DimensionName[]
    ? Record<Set[number], string>
    : never
  : never;

/** Port: where metrics go (Powertools EMF on Lambda and locally, or nowhere). */
export interface GatewayMetrics {
  record<Name extends MetricName>(name: Name, value: number, dimensions: DimensionsOf<Name>): void;
}

export const noMetrics: GatewayMetrics = { record: () => undefined };

/** Team dimension value for requests without a team. */
export const noTeam = 'none';

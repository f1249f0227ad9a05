import { Stack } from 'aws-cdk-lib';
import { QueryDefinition, QueryString, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** The fields of the core's one-line-per-completion log record worth reading side by side. */
const completionFields = [
  '@timestamp',
  'requestId',
  'keyId',
  'teamId',
  'model',
  'servedModel',
  'provider',
  'deployment',
  'stream',
  'status',
  'outcome',
  'latencyMs',
  'timeToFirstTokenMs',
  'overheadMs',
  'inputTokens',
  'outputTokens',
  'costUsd',
];

/** The query strings, exported so tests (and readers) see exactly what is saved. */
export const savedQueryStrings = {
  spendByKey: new QueryString({
    filterStatements: ['message = "completion"'],
    statsStatements: ['sum(costUsd) as spendUsd, count(*) as requests, sum(outputTokens) as outputTokens by keyId'],
    sort: 'spendUsd desc',
    limit: 100,
  }),
  // Completion lines carry errorCode, logger.error lines carry error (the class): one column for both.
  topErrors: new QueryString({
    fields: ['coalesce(errorCode, error, level) as problem'],
    filterStatements: ['outcome = "error" or level = "ERROR"'],
    statsStatements: ['count(*) as occurrences by message, problem'],
    sort: 'occurrences desc',
    limit: 25,
  }),
  slowestRequests: new QueryString({
    fields: completionFields,
    filterStatements: ['message = "completion"'],
    sort: 'latencyMs desc',
    limit: 50,
  }),
} as const;

export type SavedQueryName = keyof typeof savedQueryStrings;

export interface SavedQueriesProps {
  /** Where completions are logged: the chat function's log group. */
  completionLogGroups: ILogGroup[];
  /** Every function's log group. */
  allLogGroups: ILogGroup[];
}

/**
 * Logs Insights saved queries over the functions' structured JSON lines, in a
 * folder named for the stack: spend by key, top errors, slowest requests.
 */
export const createSavedQueries = (scope: Construct, props: SavedQueriesProps): Record<SavedQueryName, QueryDefinition> => {
  const folder = Stack.of(scope).stackName;
  const define = (id: string, title: string, queryString: QueryString, logGroups: ILogGroup[]) =>
    new QueryDefinition(scope, id, { queryDefinitionName: `${folder}/${title}`, queryString, logGroups });
  return {
    spendByKey: define('SpendByKeyQuery', 'Spend by key', savedQueryStrings.spendByKey, props.completionLogGroups),
    topErrors: define('TopErrorsQuery', 'Top errors', savedQueryStrings.topErrors, props.allLogGroups),
    slowestRequests: define('SlowestRequestsQuery', 'Slowest requests', savedQueryStrings.slowestRequests, props.completionLogGroups),
  };
};

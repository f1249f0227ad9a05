/**
 * The floors under the gateway's added latency on this machine: what one
 * admission round (two conditional UpdateItems in parallel, as a key with a
 * budget and a rate limit makes) costs through the gateway's DynamoDB client
 * (the AWS SDK's lib-dynamodb) against dynalite, and what a forwarding-only Node proxy adds (see
 * processes/bare-proxy.ts).
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { localDynamoClients } from '../../functions/local/local-dynamodb.js';
import { summarize, type Summary } from '../stats.js';

export interface DynamoFloor {
  /** Two UpdateItems issued together, until both answered (a key with a budget and a rate limit). */
  admissionRound: Summary;
  /** One UpdateItem (what one counter item holding both would cost). */
  singleUpdate: Summary;
}

/** The counter store's UpdateItem (functions/stores/dynamodb-counter-store.ts), as a key with a budget sends it. */
const counterUpdate = (counterId: string): UpdateCommandInput => ({
  TableName: 'bench-floor',
  Key: { pk: counterId },
  UpdateExpression: 'ADD #committed :committed SET #expires_at = if_not_exists(#expires_at, :expires_at)',
  ConditionExpression: '(attribute_not_exists(#committed) OR #committed <= :committedAtMost)',
  ExpressionAttributeNames: { '#committed': 'committed', '#expires_at': 'expires_at' },
  ExpressionAttributeValues: { ':committed': 0.000512, ':committedAtMost': 999_999, ':expires_at': 2_000_000_000 },
  ReturnValues: 'ALL_NEW',
});

/** Times `rounds` sequential admission rounds against the DynamoDB at `endpoint`, after a warm-up. */
export const measureDynamoFloor = async (endpoint: string, rounds: number): Promise<DynamoFloor> => {
  // The client local mode and the bench's gateway use (functions/local/local-dynamodb.ts).
  const clients = localDynamoClients(endpoint);
  const client = clients.counters;
  await client.send(
    new CreateTableCommand({
      TableName: 'bench-floor',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
  const update = (counterId: string) => client.send(new UpdateCommand(counterUpdate(counterId)));
  const round = () => Promise.all([update('budget'), update('rate')]);
  const single = () => update('budget');
  const time = async (call: () => Promise<unknown>) => {
    const timings: number[] = [];
    for (let index = 0; index < rounds; index += 1) {
      const startedAt = performance.now();
      await call();
      timings.push(performance.now() - startedAt);
    }
    return summarize(timings);
  };
  for (let index = 0; index < 100; index += 1) await round();
  const floor = { admissionRound: await time(round), singleUpdate: await time(single) };
  clients.destroy();
  return floor;
};

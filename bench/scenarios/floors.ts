/**
 * The floors under the gateway's added latency on this machine: what one
 * admission round (two conditional UpdateItems in parallel, as a key with a
 * budget and a rate limit makes) costs through the SDK against dynalite, and
 * what a forwarding-only Node proxy adds (see processes/bare-proxy.ts).
 */
import { CreateTableCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { summarize, type Summary } from '../stats.js';

export interface DynamoFloor {
  /** Two UpdateItems issued together, until both answered (a key with a budget and a rate limit). */
  admissionRound: Summary;
  /** One UpdateItem (what one counter item holding both would cost). */
  singleUpdate: Summary;
}

const counterUpdate = (counterId: string) =>
  new UpdateItemCommand({
    TableName: 'bench-floor',
    Key: { pk: { S: counterId } },
    UpdateExpression: 'ADD #committed :committed SET #expires_at = if_not_exists(#expires_at, :expires_at)',
    ConditionExpression: '(attribute_not_exists(#committed) OR #committed <= :committedAtMost)',
    ExpressionAttributeNames: { '#committed': 'committed', '#expires_at': 'expires_at' },
    ExpressionAttributeValues: { ':committed': { N: '0.000512' }, ':committedAtMost': { N: '999999' }, ':expires_at': { N: '2000000000' } },
    ReturnValues: 'ALL_NEW',
  });

/** Times `rounds` sequential admission rounds against the DynamoDB at `endpoint`, after a warm-up. */
export const measureDynamoFloor = async (endpoint: string, rounds: number): Promise<DynamoFloor> => {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: 'bench-floor',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    const round = () => Promise.all([client.send(counterUpdate('budget')), client.send(counterUpdate('rate'))]);
    const single = () => client.send(counterUpdate('budget'));
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
    return { admissionRound: await time(round), singleUpdate: await time(single) };
  } finally {
    client.destroy();
  }
};

/**
 * Four gateway processes (`npm start`) over one dynalite
 * (`TOLLWAY_DYNAMODB_ENDPOINT`), as Lambda instances share one ledger: 300
 * concurrent requests on one key of one team, spread over the four.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../functions/core/auth/key-hash.js';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../functions/local/local-dynamodb.js';
import { inspector } from '../support/dynamo-fault-proxy.js';
import { masterKey } from '../support/gateway.js';
import { startGatewayProcess, stopGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { reportFigures } from './support/probe.js';

describe('four gateways over one ledger', () => {
  let dynamo: LocalDynamoDB;
  let folder: string;
  let gateways: GatewayProcess[] = [];
  let tables: ReturnType<typeof inspector>;

  beforeAll(async () => {
    // dynalite serves one write at a time: a deadline long enough for 300 requests' writes queued on it.
    dynamo = await startLocalDynamoDB(':memory:');
    folder = mkdtempSync(join(tmpdir(), 'tollway-ledger-'));
    const configFile = join(folder, 'tollway.config.yaml');
    // Each request may cost up to about $0.1 (100 output tokens at $1,000 a million); echo really costs a few tenths of a cent.
    writeFileSync(configFile, 'models:\n  - name: echo\n    provider: echo\n    price: { input_per_mtok: 100, output_per_mtok: 1000 }\nsettings:\n  dynamodb_timeout_ms: 20000\n');
    const environment = { TOLLWAY_METRICS: 'off', TOLLWAY_CONFIG: configFile, TOLLWAY_DATA_DIR: join(folder, 'data'), TOLLWAY_MASTER_KEY: masterKey, TOLLWAY_DYNAMODB_ENDPOINT: dynamo.endpoint };
    gateways = await Promise.all([0, 1, 2, 3].map(() => startGatewayProcess(environment)));
    tables = inspector({ dynamoEndpoint: dynamo.endpoint, tableNames: dynamo.tableNames } as Parameters<typeof inspector>[0]);
  }, 120_000);

  afterAll(async () => {
    tables?.close();
    await Promise.all(gateways.map((gateway) => stopGatewayProcess(gateway.child)));
    await dynamo?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const adminCall = async (path: string, body?: unknown) => {
    const response = await fetch(`${gateways[0].url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as Record<string, any>;
  };

  it('accepts what fits, never spends past either budget, records every accepted request, and reconciles to 0', async () => {
    // Prepare
    await adminCall('/team/new', { team_id: 'ledger-team', max_budget: 2 });
    const { key } = await adminCall('/key/generate', { team_id: 'ledger-team', max_budget: 1.5 });

    // Act: 300 at once, round-robin over the four processes.
    const statuses = await Promise.all(
      Array.from({ length: 300 }, async (_, index) => {
        const response = await fetch(`${gateways[index % 4].url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'echo', max_tokens: 100, messages: [{ role: 'user', content: `request number ${index}` }] }),
        });
        const body = (await response.json()) as { error?: { code?: string } };
        return response.status === 200 ? 'accepted' : (body.error?.code ?? String(response.status));
      }),
    );
    // Every process has written its records once its requests are answered and settled.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const keyLedger = await adminCall(`/spend/reconcile?key=${hashKey(key)}`);
    const teamLedger = await adminCall('/spend/reconcile?team_id=ledger-team');
    const records = (await tables.usageRecords()).filter((item) => item.key_id === hashKey(key));

    // Assess
    const accepted = statuses.filter((status) => status === 'accepted').length;
    const refused = statuses.filter((status) => status === 'budget_exceeded').length;
    reportFigures('shared ledger', { requests: 300, accepted, refused, keySpend: keyLedger.counter_spend, teamSpend: teamLedger.counter_spend });
    expect(accepted + refused).toBe(300);
    expect(accepted).toBeGreaterThan(0);
    expect(records).toHaveLength(accepted);
    expect(keyLedger).toMatchObject({ usage_records: accepted, difference: 0, live_holds: [], expired_holds: [] });
    expect(teamLedger).toMatchObject({ usage_records: accepted, difference: 0, live_holds: [], expired_holds: [] });
    expect(keyLedger.counter_spend).toBeLessThanOrEqual(1.5);
    expect(teamLedger.counter_spend).toBeLessThanOrEqual(2);
    expect(keyLedger.committed).toBeCloseTo(keyLedger.counter_spend, 9);
  }, 120_000);
});

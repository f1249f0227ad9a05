/**
 * dynalite in a process of its own, paused with SIGSTOP (a DynamoDB that stops
 * answering without closing anything), then resumed with SIGCONT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../functions/core/auth/key-hash.js';
import { parseConfig } from '../../functions/core/config/load.js';
import { silentLogger } from '../../functions/core/logger.js';
import { startLocalGateway, type LocalGateway } from '../../functions/local/local-gateway.js';
import { admin, generateKey, masterKey } from '../support/gateway.js';

const startDynalite = () =>
  new Promise<{ child: ChildProcess; endpoint: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', "require('dynalite')({ createTableMs: 0 }).listen(0, '127.0.0.1', function () { console.log(this.address().port) })"], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout!.once('data', (data: Buffer) => resolve({ child, endpoint: `http://127.0.0.1:${data.toString().trim()}` }));
    child.once('error', reject);
  });

describe('a DynamoDB that stops answering (SIGSTOP) and comes back (SIGCONT)', () => {
  let dynalite: { child: ChildProcess; endpoint: string };
  let gateway: LocalGateway;

  beforeAll(async () => {
    dynalite = await startDynalite();
    gateway = await startLocalGateway({
      config: parseConfig('models:\n  - name: echo\n    provider: echo\n    price: { input_per_mtok: 1, output_per_mtok: 2 }\nsettings:\n  hold_ttl_seconds: 1\n', 'paused'),
      dataDir: ':memory:',
      dynamoEndpoint: dynalite.endpoint,
      port: 0,
      masterKey,
      environment: {},
      logger: silentLogger,
    });
  });
  afterAll(async () => {
    dynalite?.child.kill('SIGCONT');
    await gateway?.close();
    dynalite?.child.kill('SIGKILL');
  });

  const chat = (key: string) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'are you there?' }] }),
    });

  it('answers 503 within the deadline while paused, and serves again with exact books once resumed', async () => {
    // Prepare: the key is cached, so only the budget hold needs DynamoDB before the model.
    const key = await generateKey(gateway, { max_budget: 10 });
    expect((await chat(key)).status).toBe(200);
    await gateway.settled();

    // Act: paused
    dynalite.child.kill('SIGSTOP');
    const startedAt = performance.now();
    const paused = await chat(key);
    const pausedMs = performance.now() - startedAt;
    const pausedBody = (await paused.json()) as { error: { code: string } };
    dynalite.child.kill('SIGCONT');
    // Resumed: past hold_ttl_seconds, so a hold the paused write left behind is reclaimed by the next request.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const resumed = await chat(key);
    await resumed.text();
    await gateway.settled();

    // Assess
    expect(paused.status).toBe(503);
    expect(pausedBody.error.code).toBe('limits_unavailable');
    expect(pausedMs).toBeLessThan(4_000);
    expect(resumed.status).toBe(200);
    const info = (await admin(gateway, 'GET', `/key/info?key=${hashKey(key)}`)).body.info;
    const ledger = (await admin(gateway, 'GET', `/spend/reconcile?key=${hashKey(key)}`)).body;
    expect(info.reserved_spend).toBe(0);
    expect(ledger).toMatchObject({ usage_records: 2, difference: 0, live_holds: [] });
  }, 30_000);
});

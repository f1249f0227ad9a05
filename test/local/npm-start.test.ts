import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, stopGatewayProcess } from '../support/gateway-process.js';

const repositoryRoot = new URL('../../', import.meta.url).pathname;

/** `npm start`, ready once it has printed the master key line. */
const startLocal = (environment: Record<string, string>) => startGatewayProcess(environment, { ready: /master key/, timeoutMs: 20_000 });
const stop = stopGatewayProcess;

describe('npm start (bin/local.ts)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tollway-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves the gateway, prints a generated master key once, and keeps it across restarts', async () => {
    const first = await startLocal({ TOLLWAY_DATA_DIR: dataDir });
    const printed = /master key \(generated, shown once\): (sk-\S+)/.exec(first.output)?.[1];
    expect(printed).toBeDefined();
    expect(readFileSync(join(dataDir, 'master-key'), 'utf8').trim()).toBe(printed);

    const health = await fetch(`${first.url}/health`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const generated = await fetch(`${first.url}/key/generate`, { method: 'POST', headers: { authorization: `Bearer ${printed}` }, body: '{}' });
    const { key } = (await generated.json()) as { key: string };
    await stop(first.child);

    const second = await startLocal({ TOLLWAY_DATA_DIR: dataDir });
    expect(second.output).not.toContain(printed);
    const models = await fetch(`${second.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    expect(models.status).toBe(200); // the key survived the restart in the persisted dynalite
    await stop(second.child);
  });

  it('fails with a message naming the field for a bad config', async () => {
    const error = await startLocal({ TOLLWAY_DATA_DIR: ':memory:', TOLLWAY_CONFIG: join(repositoryRoot, 'test/local/bad.config.yaml') }).catch(
      (caught: Error) => caught,
    );
    expect(String(error)).toContain('models[0].provider');
  });
});

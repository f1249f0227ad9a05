import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repositoryRoot = new URL('../../', import.meta.url).pathname;

/** Starts `bin/local.ts` the way `npm start` does and waits for its banner. */
const startLocal = (environment: Record<string, string>) =>
  new Promise<{ child: ChildProcess; output: string; url: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
      cwd: repositoryRoot,
      env: { ...process.env, PORT: '0', ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no banner after 20s:\n${output}`)), 20_000);
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match && output.includes('\n', output.indexOf(match[0])) && /master key/.test(output)) {
        clearTimeout(timer);
        resolve({ child, output, url: match[1] });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (data: Buffer) => {
      output += data.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

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

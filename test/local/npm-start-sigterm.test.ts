/**
 * SIGTERM to the `npm start` process itself (what a process manager or a
 * terminal's close sends) ends the whole tree: the gateway settles the
 * request in flight, exits, and its port is free afterwards.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accepts, freePort } from '../support/everything-server.js';
import { completionBody, sendJson, startFakeUpstream, type FakeUpstream } from '../support/fake-openai-upstream.js';
import { masterKey } from '../support/gateway.js';
import { exitOf } from '../support/gateway-process.js';

const repositoryRoot = new URL('../../', import.meta.url).pathname;

describe('SIGTERM to npm start', () => {
  let upstream: FakeUpstream;
  let folder: string;

  beforeAll(async () => {
    // A slow upstream: the request is still in flight when the signal comes.
    upstream = await startFakeUpstream(async (_request, response) => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      sendJson(response, 200, completionBody({ role: 'assistant', content: 'finished' }, 'stop'));
    });
    folder = mkdtempSync(join(tmpdir(), 'tollway-npm-start-'));
    writeFileSync(
      join(folder, 'tollway.config.yaml'),
      `models:\n  - name: slow\n    provider: openai-compatible\n    base_url: ${upstream.baseUrl}\n    model: slow-model\n    price: { input_per_mtok: 1, output_per_mtok: 2 }\n`,
    );
  });
  afterAll(async () => {
    await upstream?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('stops the whole process tree after the request in flight is answered, and frees the port', async () => {
    // Prepare
    const port = await freePort();
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: repositoryRoot,
      env: { ...process.env, PORT: String(port), TOLLWAY_CONFIG: join(folder, 'tollway.config.yaml'), TOLLWAY_DATA_DIR: join(folder, 'data'), TOLLWAY_MASTER_KEY: masterKey, TOLLWAY_METRICS: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout!.on('data', (data: Buffer) => (output += data.toString()));
    npm.stderr!.on('data', (data: Buffer) => (output += data.toString()));
    await expect.poll(() => output, { timeout: 60_000, interval: 100 }).toContain('master key');
    const generated = await fetch(`http://127.0.0.1:${port}/key/generate`, { method: 'POST', headers: { authorization: `Bearer ${masterKey}` }, body: '{}' });
    const { key } = (await generated.json()) as { key: string };
    const inFlight = fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'slow', messages: [{ role: 'user', content: 'take your time' }] }),
    });
    await expect.poll(() => upstream.received.length, { timeout: 5_000, interval: 20 }).toBe(1);

    // Act
    npm.kill('SIGTERM');
    const [answer, code] = await Promise.all([inFlight.then(async (response) => ({ status: response.status, body: await response.text() })), exitOf(npm)]);
    await expect.poll(() => accepts(port), { timeout: 5_000, interval: 100 }).toBe(false);

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('finished');
    expect(output).toMatch(/stopping, settling 1 request in flight/);
    await expect.poll(() => output, { timeout: 5_000, interval: 50 }).toContain('tollway: stopped');
    expect(code === 0 || npm.signalCode === 'SIGTERM').toBe(true);
  }, 90_000);
});

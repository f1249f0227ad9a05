/**
 * Child process: the Portkey AI gateway (`@portkey-ai/gateway`, its Node
 * server as `npx @portkey-ai/gateway` starts it), for the side-by-side
 * comparison. Requests name the upstream with `x-portkey-provider: openai`
 * and `x-portkey-custom-host`; Portkey has no keys, budgets or usage records
 * of its own, so what it adds is a proxy hop with request translation.
 */
import { createServer } from 'node:net';
import { childSettings, serveParent } from './child.js';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

const { startTimeoutMs = 30_000 } = childSettings<{ startTimeoutMs?: number }>();
const port = await freePort();
// Its start-up banner (a spinner, then the URL) would land in the bench's tables on stdout.
process.stdout.write = (() => true) as typeof process.stdout.write;
process.argv.push(`--port=${port}`, '--headless');
// Its server starts on import (it has no types; a specifier in a variable keeps tsc from looking for them).
const entry = '@portkey-ai/gateway/build/start-server.js';
await import(entry);

const url = `http://127.0.0.1:${port}`;
const deadline = Date.now() + startTimeoutMs;
for (;;) {
  try {
    await fetch(url);
    break;
  } catch (error) {
    if (Date.now() > deadline) throw error;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
// Its Node server has no close of its own: the parent's stop ends the process.
serveParent({ url }, async () => undefined);

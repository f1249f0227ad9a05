import { spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface EverythingServer {
  /** The Streamable HTTP endpoint, e.g. `http://127.0.0.1:41234/mcp`. */
  url: string;
  stop(): Promise<void>;
}

/** A port nobody listens on right now. */
export const freePort = async (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

/** Whether something accepts connections on the port (127.0.0.1). */
export const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const everythingEntry = () => {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')), 'dist', 'index.js');
};

/** Starts the reference `@modelcontextprotocol/server-everything` over Streamable HTTP in a child process (on `port` to restart one). */
export const startEverythingServer = async (port?: number): Promise<EverythingServer> => {
  port ??= await freePort();
  const child = spawn(process.execPath, [everythingEntry(), 'streamableHttp'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listening = port;

  const deadline = Date.now() + 15_000;
  while (!(await accepts(listening))) {
    if (child.exitCode !== null) throw new Error(`server-everything exited: ${stderr}`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`server-everything did not listen on ${listening}: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    url: `http://127.0.0.1:${listening}/mcp`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
};

import { spawn, type ChildProcess } from 'node:child_process';

const repositoryRoot = new URL('../../', import.meta.url).pathname;

export interface GatewayProcess {
  child: ChildProcess;
  /** Everything it printed up to its banner. */
  output: string;
  url: string;
}

/**
 * Starts `bin/local.ts` the way `npm start` does, on a free port, and waits
 * for its banner: the listening line, then a line matching `ready`.
 */
export const startGatewayProcess = (environment: Record<string, string>, options: { ready?: RegExp; timeoutMs?: number } = {}) =>
  new Promise<GatewayProcess>((resolve, reject) => {
    const ready = options.ready ?? /DynamoDB: /;
    const timeoutMs = options.timeoutMs ?? 60_000;
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
      cwd: repositoryRoot,
      env: { ...process.env, PORT: '0', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no banner after ${timeoutMs / 1000}s:\n${output}`)), timeoutMs);
    child.stdout!.on('data', (data: Buffer) => {
      output += data.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match && output.includes('\n', output.indexOf(match[0])) && ready.test(output)) {
        clearTimeout(timer);
        resolve({ child, output, url: match[1] });
      }
    });
    child.stderr!.on('data', (data: Buffer) => (output += data.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });

/** Resolves with the exit code once the process has exited. */
export const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

/** SIGTERM, and the exit. */
export const stopGatewayProcess = (child: ChildProcess) => {
  const exited = exitOf(child);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  return exited;
};

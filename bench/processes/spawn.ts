/**
 * The parent side of the bench's process protocol: starts a child (TypeScript
 * through tsx), waits for it to be ready, asks it for its memory, pins it to
 * CPUs and stops it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

export interface Child<Ready> {
  pid: number;
  ready: Ready;
  /** Its memory usage; after a full garbage collection with `collect` (children started with --expose-gc). */
  memory(options?: { collect?: boolean }): Promise<MemorySample>;
  /** What the child recorded (see `ReportSource`); forgotten by the child with `reset`. */
  report<Report>(options?: { reset?: boolean }): Promise<Report>;
  /** User plus system CPU time the process has used, in milliseconds (Linux), or undefined. */
  cpuTimeMs(): number | undefined;
  stop(): Promise<void>;
}

export interface ChildOptions {
  /** Extra Node flags (`--cpu-prof`...). */
  nodeArgs?: string[];
  /** A JavaScript file to run instead of `bench/processes/<name>.ts` through tsx (a bundle). */
  script?: string;
  /** Start timeout. */
  timeoutMs?: number;
}

const processesFolder = fileURLToPath(new URL('.', import.meta.url));

/** Starts `bench/processes/<name>.ts` in a fresh Node process with `settings`, and waits for its ready message. */
export const startChild = async <Ready>(name: string, settings: unknown, options: ChildOptions = {}): Promise<Child<Ready>> => {
  const program = options.script ? [options.script] : ['--import', 'tsx', `${processesFolder}${name}.ts`];
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), ...program], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, BENCH_CHILD_SETTINGS: JSON.stringify(settings) },
  });
  const pending = new Map<number, (answer: unknown) => void>();
  let nextId = 0;
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench child ${name} did not start in time`)), options.timeoutMs ?? 60_000);
    child.once('exit', (code) => reject(new Error(`bench child ${name} exited with ${code} before it was ready`)));
    child.on('message', (message: { type: string; id?: number } & Record<string, unknown>) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message as Ready);
      } else if ((message.type === 'memory' || message.type === 'report') && message.id !== undefined) {
        pending.get(message.id)?.(message.type === 'report' ? message.report : message);
        pending.delete(message.id);
      }
    });
  });
  const pid = child.pid ?? 0;
  const ask = <Answer>(message: Record<string, unknown>) =>
    new Promise<Answer>((resolve) => {
      nextId += 1;
      pending.set(nextId, resolve as (answer: unknown) => void);
      child.send({ ...message, id: nextId });
    });
  return {
    pid,
    ready,
    memory: (memoryOptions = {}) => ask<MemorySample>({ type: 'memory', collect: memoryOptions.collect === true }),
    report: <Report>(reportOptions: { reset?: boolean } = {}) => ask<Report>({ type: 'report', reset: reportOptions.reset === true }),
    cpuTimeMs: () => processCpuTimeMs(pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'stop' });
      }),
  };
};

/** utime + stime of a process from /proc (Linux only). */
export const processCpuTimeMs = (pid: number): number | undefined => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // Fields 14 and 15 of stat (utime, stime), counted from the state field (3).
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / clockTicksPerSecond();
  } catch {
    return undefined;
  }
};

let ticksPerSecond: number | undefined;
const clockTicksPerSecond = (): number => {
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return ticksPerSecond;
};

/** Whether `taskset` exists (Linux, util-linux). */
export const canPin = (): boolean => spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;

/** Pins every thread of a running process to `cpus` (a taskset list such as `0` or `0-1`). */
export const pin = (pid: number, cpus: string): boolean => spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' }).status === 0;

/** The CPUs this machine has, as a taskset list. */
export const allCpus = (count: number): string => (count <= 1 ? '0' : `0-${count - 1}`);

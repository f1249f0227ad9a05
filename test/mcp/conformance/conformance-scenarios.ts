import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checksFileSchema,
  runCli,
  statusNames,
  type CheckStatus,
  type ConformanceRevision,
  type ConformanceRun,
  type ConformanceScenarioResult,
} from './conformance-runner.js';

const readChecks = async (directory: string) => {
  const file = (await readdir(directory, { recursive: true })).find((entry) => entry.endsWith('checks.json'));
  if (file === undefined) return [];
  return checksFileSchema.parse(JSON.parse(await readFile(join(directory, file), 'utf8'))).map((check) => ({
    id: check.id,
    status: statusNames[check.status],
    ...(check.errorMessage && check.status !== 'SUCCESS' ? { errorMessage: check.errorMessage } : {}),
  }));
};

/**
 * Runs named server scenarios one by one at a revision's wire, as
 * `--requirements` would run them (`--scenario <name> --spec-version
 * <revision> --force`; the CLI refuses `--scenario` beside
 * `--requirements`), in parallel, and reads back their checks. Scenario
 * flags are not read from a requirement set here, so every one is `scored`.
 */
export const runConformanceScenarios = async (
  url: string,
  revision: ConformanceRevision,
  scenarioNames: readonly string[],
  options: { timeoutMs?: number } = {},
): Promise<ConformanceRun> => {
  const started = Date.now();
  const outputs: string[] = [];
  let exitCode = 0;
  const scenarios = await Promise.all(
    scenarioNames.map(async (name): Promise<ConformanceScenarioResult> => {
      const outputDirectory = await mkdtemp(join(tmpdir(), `mcp-conformance-${revision}-`));
      try {
        const args = ['server', '--url', url, '--scenario', name, '--spec-version', revision, '--force', '--output-dir', outputDirectory];
        const run = await runCli(options.timeoutMs === undefined ? args : [...args, '--timeout', String(options.timeoutMs)]);
        exitCode = Math.max(exitCode, run.exitCode);
        outputs.push(run.output);
        return { name, scored: true, checks: await readChecks(outputDirectory) };
      } finally {
        await rm(outputDirectory, { recursive: true, force: true });
      }
    }),
  );
  const totals: Record<CheckStatus, number> = { pass: 0, fail: 0, skip: 0, warning: 0, info: 0 };
  for (const check of scenarios.flatMap((scenario) => scenario.checks)) totals[check.status] += 1;
  const notRun = scenarios.filter((scenario) => scenario.checks.length === 0).map((scenario) => scenario.name);
  return { requirements: revision, url, exitCode, durationMs: Date.now() - started, totals, scenarios, notRun, output: outputs.join('\n') };
};

/**
 * `scenario:check-id` of every check that passed wherever it was recorded
 * (some checks are recorded once per case), sorted and without repeats.
 */
export const passingChecks = (run: ConformanceRun): string[] => {
  const passed = new Map<string, boolean>();
  for (const scenario of run.scenarios) {
    for (const check of scenario.checks) {
      const key = `${scenario.name}:${check.id}`;
      passed.set(key, (passed.get(key) ?? true) && check.status === 'pass');
    }
  }
  return [...passed].filter(([, pass]) => pass).map(([key]) => key).sort();
};

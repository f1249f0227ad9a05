/**
 * Runs the MCP conformance suite's server scenarios and prints a JSON summary
 * (per requirement set, per scenario, per check: pass / fail / skip / warning
 * / info) on stdout.
 *
 *   npx tsx scripts/mcp-conformance.ts                        # the SDK v2 fixture server, both revisions
 *   npx tsx scripts/mcp-conformance.ts --requirements 2026-07-28
 *   npx tsx scripts/mcp-conformance.ts --url http://127.0.0.1:8787/mcp/conformance   # a running server instead
 *
 * Exits 1 when a scored scenario failed (the CLI's own verdict) in any run.
 */
import { parseArgs } from 'node:util';
import { conformanceRevisions, runConformanceSuite, type ConformanceRevision, type ConformanceRun } from '../test/mcp/conformance/conformance-runner.js';
import { startConformanceServer } from '../test/mcp/conformance/fixture-server.js';

const { values } = parseArgs({ options: { requirements: { type: 'string', multiple: true }, url: { type: 'string' }, output: { type: 'boolean' } } });

const isRevision = (value: string): value is ConformanceRevision => (conformanceRevisions as readonly string[]).includes(value);
const requested = values.requirements ?? [...conformanceRevisions];
const unknown = requested.filter((value) => !isRevision(value));
if (unknown.length > 0) {
  process.stderr.write(`Unknown requirement set(s) ${unknown.join(', ')}; known: ${conformanceRevisions.join(', ')}\n`);
  process.exit(2);
}

const fixture = values.url ? undefined : await startConformanceServer();
const url = values.url ?? fixture!.url;
const runs: ConformanceRun[] = [];
try {
  for (const requirements of requested.filter(isRevision)) runs.push(await runConformanceSuite(url, requirements));
} finally {
  await fixture?.stop();
}

// The CLI's own log is long; `--output` keeps it in the summary for diagnosis.
const summary = { url, target: fixture ? 'fixture' : 'external', runs: runs.map(({ output, ...run }) => (values.output ? { ...run, output } : run)) };
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
process.exitCode = runs.every((run) => run.exitCode === 0) ? 0 : 1;

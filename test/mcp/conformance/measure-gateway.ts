/**
 * Measures what of the MCP conformance suite passes through the gateway, next
 * to the fixture directly, and prints a JSON summary on stdout: per endpoint
 * and revision, pass/fail counts per scenario (direct and through the
 * gateway), every check that passes directly but not through the gateway
 * (with the suite's message), and the checks passing through the gateway
 * (what gateway-baseline.ts holds).
 *
 *   npx tsx test/mcp/conformance/measure-gateway.ts   # POST /mcp/fixture at both revisions, POST /mcp at 2026-07-28
 */
import { conformanceRevisions, runConformanceSuite, type ConformanceRun } from './conformance-runner.js';
import { passingChecks, runConformanceScenarios } from './conformance-scenarios.js';
import { startGatewayUnderTest } from './gateway-under-test.js';

/** The 2026-07-28 scenarios that apply to the federated endpoint (tools, prompts, resources, the transport). */
const federatedScenarios = [
  'server-stateless',
  'tools-list',
  'tools-call-simple-text',
  'tools-call-image',
  'tools-call-audio',
  'tools-call-embedded-resource',
  'tools-call-mixed-content',
  'tools-call-error',
  'tools-call-with-progress',
  'prompts-list',
  'prompts-get-simple',
  'prompts-get-with-args',
  'prompts-get-embedded-resource',
  'prompts-get-with-image',
  'resources-list',
  'resources-read-text',
  'resources-read-binary',
  'resources-templates-read',
  'dns-rebinding-protection',
];

const counts = (run: ConformanceRun, name: string) => {
  const checks = run.scenarios.find((scenario) => scenario.name === name)?.checks ?? [];
  return { pass: checks.filter((check) => check.status === 'pass').length, fail: checks.filter((check) => check.status === 'fail').length };
};

const compare = (endpoint: string, direct: ConformanceRun, throughGateway: ConformanceRun) => {
  const gatewayPasses = new Set(passingChecks(throughGateway));
  const lost = passingChecks(direct)
    .filter((key) => !gatewayPasses.has(key))
    .map((key) => {
      const [scenarioName, ...id] = key.split(':');
      const check = throughGateway.scenarios.find((scenario) => scenario.name === scenarioName)?.checks.find((candidate) => candidate.id === id.join(':'));
      return { check: key, status: check?.status ?? 'not recorded', ...(check?.errorMessage ? { errorMessage: check.errorMessage } : {}) };
    });
  return {
    endpoint,
    revision: direct.requirements,
    durationMs: { direct: direct.durationMs, gateway: throughGateway.durationMs },
    totals: { direct: direct.totals, gateway: throughGateway.totals },
    notRunThroughGateway: throughGateway.notRun,
    scenarios: direct.scenarios.map((scenario) => ({ name: scenario.name, scored: scenario.scored, direct: counts(direct, scenario.name), gateway: counts(throughGateway, scenario.name) })),
    lost,
    gatewayPasses: [...gatewayPasses],
  };
};

const gateway = await startGatewayUnderTest();
const comparisons = [];
try {
  for (const revision of conformanceRevisions) {
    const direct = await runConformanceSuite(gateway.directUrl, revision);
    comparisons.push(compare('/mcp/fixture', direct, await runConformanceSuite(gateway.passThroughUrl, revision)));
  }
  const direct = await runConformanceScenarios(gateway.directUrl, '2026-07-28', federatedScenarios);
  comparisons.push(compare('/mcp', direct, await runConformanceScenarios(gateway.federatedUrl, '2026-07-28', federatedScenarios)));
} finally {
  await gateway.stop();
}
process.stdout.write(`${JSON.stringify(comparisons, null, 2)}\n`);

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksWithStatus, runConformanceSuite } from './conformance-runner.js';
import { startConformanceServer, type ConformanceServer } from './fixture-server.js';

/**
 * Checks of the 2026-07-28 run that fail against the fixture, and why. All
 * belong to the tasks extension (SEP-2663, `io.modelcontextprotocol/tasks`),
 * which the requirement set runs but does not score (`extension`): SDK v2
 * 2.4.0 implements none of it (no `capabilities.extensions` entry, no
 * tasks/get, tasks/update or tasks/cancel handler, no task-augmented
 * tools/call), so the fixture offers none of the extension's tools
 * (`greet`, `slow_compute`, `failing_job`, `protocol_error_job`,
 * `confirm_delete`, `multi_input`, `test_tool_with_task`) either.
 */
const tasksExtensionFailures = [
  // The server advertises no tasks extension and answers tasks/* with -32601 rather than -32021.
  'tasks-capability-negotiation:tasks-extension-advertised',
  'tasks-capability-negotiation:sep-2663-tasks-methods-non-declaring',
  // Each needs a task-augmented tool of the extension's fixture; with no task created, the follow-up checks are untestable.
  'tasks-capability-negotiation:sep-2663-server-rejects-undeclared-client',
  'tasks-capability-negotiation:tasks-per-request-meta-opt-in',
  'tasks-dispatch-and-envelope:tasks-server-directed-creation-no-hint',
  'tasks-dispatch-and-envelope:sep-2663-legacy-task-param-ignored',
  'tasks-dispatch-and-envelope:tasks-immediate-result-shortcut',
  'tasks-dispatch-and-envelope:tasks-result-type-complete-on-non-task-responses',
  'tasks-dispatch-and-envelope:sep-2663-durable-create-strong-consistency',
  // tasks/get is not a method the SDK serves, so an invalid task id gets -32601, not -32602.
  'tasks-dispatch-and-envelope:sep-2663-tasks-get-invalid-task-id-32602',
  'tasks-lifecycle:tasks-sync-tool-call',
  'tasks-lifecycle:sep-2663-result-type-task-on-create',
  'tasks-lifecycle:sep-2663-tasks-get-status-working',
  'tasks-lifecycle:sep-2663-tasks-get-status-completed',
  'tasks-lifecycle:sep-2663-tool-error-uses-completed-status',
  'tasks-lifecycle:sep-2663-tasks-get-status-failed',
  'tasks-lifecycle:sep-2663-cancel-ack-empty-result',
  'tasks-lifecycle:tasks-cancel-terminal-idempotent-ack',
  'tasks-mrtr-composition:sep-2663-mrtr-synchronous-before-task-creation',
  'tasks-mrtr-input:sep-2663-tasks-get-status-input-required',
  'tasks-mrtr-input:tasks-mrtr-tasks-update-resumes',
  'tasks-mrtr-input:tasks-mrtr-partial-fulfillment',
  'tasks-request-headers:tasks-headers-tolerate-mcp-method-on-tools-call',
  'tasks-request-headers:sep-2663-routing-headers-accepted-on-tasks-get',
  'tasks-request-headers:sep-2663-server-rejects-mismatched-mcp-name-on-tasks-get',
  'tasks-request-state-removal:tasks-request-state-removal-setup',
  // failing_job does not exist, so tools/call answers -32602 (unknown tool) instead of -32021 (task required).
  'tasks-required-task-error:sep-2663-server-returns-missing-capability-when-required',
  'tasks-wire-fields:tasks-wire-field-renames',
  'tasks-wire-fields:tasks-no-early-ttl-expiry',
  'tasks-wire-fields:tasks-no-related-task-meta-on-inlined-result',
];

describe('the MCP conformance suite against the SDK v2 fixture server, directly', () => {
  let server: ConformanceServer;

  beforeAll(async () => {
    server = await startConformanceServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('passes every check of the 2025-11-25 requirement set, scored or not', async () => {
    // Act
    const run = await runConformanceSuite(server.url, '2025-11-25');

    // Assess
    expect(run.notRun).toEqual([]);
    expect(checksWithStatus(run, 'fail')).toEqual([]);
    expect(checksWithStatus(run, 'skip')).toEqual([]);
    expect(run.scenarios.filter((scenario) => scenario.scored)).toHaveLength(30);
    expect(run.exitCode, run.output).toBe(0);
  }, 60_000);

  it('passes every scored check of the 2026-07-28 requirement set; only the unscored tasks extension fails', async () => {
    // Act
    const run = await runConformanceSuite(server.url, '2026-07-28');

    // Assess
    expect(run.notRun).toEqual([]);
    const scoredFailures = run.scenarios.filter((scenario) => scenario.scored && scenario.checks.some((check) => check.status === 'fail'));
    expect(scoredFailures.map((scenario) => scenario.name)).toEqual([]);
    expect(checksWithStatus(run, 'fail').sort()).toEqual([...tasksExtensionFailures].sort());
    // The suite skips this one itself: its harness awaits a rewrite onto subscriptions/listen.
    expect(checksWithStatus(run, 'skip')).toEqual(['tasks-status-notifications:tasks-status-notifications']);
    expect(run.scenarios.filter((scenario) => scenario.scored)).toHaveLength(37);
    expect(run.exitCode, run.output).toBe(0);
  }, 60_000);
});

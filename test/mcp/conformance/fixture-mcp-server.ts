import { McpServer, type RequestStateCodec, type ServerNotifier } from '@modelcontextprotocol/server';
import { registerClientRequestTools } from './fixture-client-request-tools.js';
import { registerInputRequiredPrompt, registerInputRequiredTools, type FixtureRequestState } from './fixture-input-required-tools.js';
import { registerPrompts, registerResources } from './fixture-resources-prompts.js';
import { registerContentTools, registerStatelessDiagnosticTools } from './fixture-tools.js';

/** What every instance of the fixture shares: the request-state key, the listen bus and the subscribed URIs. */
export interface ConformanceFixtureShared {
  requestStateCodec: RequestStateCodec<FixtureRequestState>;
  /** The `subscriptions/listen` notifier of the HTTP handler (known only once the handler exists, hence a function). */
  notifier: () => ServerNotifier;
  subscriptions: Set<string>;
}

/**
 * One instance of the conformance fixture: every tool, resource and prompt
 * the suite's server scenarios call, defined once and served to both eras
 * (a 2025-11-25 session, or one 2026-07-28 request).
 */
export const createConformanceMcpServer = (shared: ConformanceFixtureShared): McpServer => {
  const server = new McpServer(
    { name: 'tollway-conformance-fixture', version: '1.0.0' },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        // Deprecated in 2026-07-28 (SEP-2577) but still what a 2025-11-25 session negotiates logging/setLevel with.
        logging: {},
        completions: {},
      },
      // Tampered or expired state is refused with -32602 before any handler runs.
      requestState: { verify: shared.requestStateCodec.verify },
    },
  );
  registerContentTools(server);
  registerClientRequestTools(server);
  registerStatelessDiagnosticTools(server, shared.notifier);
  registerInputRequiredTools(server, shared.requestStateCodec);
  registerResources(server, shared.subscriptions);
  registerPrompts(server);
  registerInputRequiredPrompt(server);
  return server;
};

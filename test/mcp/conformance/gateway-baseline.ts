import type { ConformanceRevision } from './conformance-runner.js';

/**
 * The conformance checks (`scenario:check-id`) that pass through the gateway's
 * `POST /mcp/fixture` (the fixture passed through), as measured on
 * 2026-12-03 with @modelcontextprotocol/conformance 0.2.0-alpha.12. A check
 * counts as passing when every instance of it in the run passed.
 *
 * A ratchet: conformance-gateway.test.ts fails when one of these stops
 * passing. Grow the lists as the gateway learns more; never shrink them
 * without saying why in the commit.
 *
 * Why the rest fails through the gateway (functions/mcp), as measured:
 * - 2026-07-28, everything: serve-mcp.ts serves with the SDK v1 transport,
 *   which refuses `MCP-Protocol-Version: 2026-07-28` (HTTP 400, -32000, id
 *   null) before any handler; behind that there is no server/discover, no
 *   `_meta` envelope handling (server-endpoint.ts forwards the caller's
 *   envelope to a 2025-11-25 upstream session, which the fixture then
 *   refuses), no input-required results, no subscriptions/listen.
 * - Progress and log notifications: the upstream's are dropped
 *   (streamable-http-client.ts hands them to a listener that only watches
 *   tools/list_changed) and the answer is always one JSON body.
 * - Sampling and elicitation: upstream requests to the client are answered
 *   -32601 by the gateway, never relayed.
 * - resources/subscribe and unsubscribe: no handler (-32601).
 * - Sessions and SSE (session id, DELETE, multiple streams, polling): the
 *   endpoint is stateless, POST-only and JSON-only.
 * - DNS rebinding: Host and Origin are never checked.
 */
export const gatewayPassingChecks: Record<ConformanceRevision, readonly string[]> = {
  // 58 of the 84 checks the fixture passes directly.
  '2025-11-25': [
    'server-initialize:server-initialize',
    'server-initialize:wire-schema-valid',
    'logging-set-level:logging-set-level',
    'logging-set-level:wire-schema-valid',
    'ping:ping',
    'ping:wire-schema-valid',
    'completion-complete:completion-complete',
    'completion-complete:wire-schema-valid',
    'tools-list:tools-list',
    'tools-list:tools-name-format',
    'tools-list:wire-schema-valid',
    'tools-call-simple-text:tools-call-simple-text',
    'tools-call-simple-text:wire-schema-valid',
    'tools-call-image:tools-call-image',
    'tools-call-image:wire-schema-valid',
    'tools-call-audio:tools-call-audio',
    'tools-call-audio:wire-schema-valid',
    'tools-call-embedded-resource:tools-call-embedded-resource',
    'tools-call-embedded-resource:wire-schema-valid',
    'tools-call-mixed-content:tools-call-mixed-content',
    'tools-call-mixed-content:wire-schema-valid',
    'tools-call-with-logging:wire-schema-valid',
    'tools-call-error:tools-call-error',
    'tools-call-error:wire-schema-valid',
    'tools-call-with-progress:wire-schema-valid',
    'tools-call-sampling:wire-schema-valid',
    'tools-call-elicitation:wire-schema-valid',
    'elicitation-sep1034-defaults:wire-schema-valid',
    'elicitation-sep1330-enums:wire-schema-valid',
    'resources-list:resources-list',
    'resources-list:wire-schema-valid',
    'resources-read-text:resources-read-text',
    'resources-read-text:wire-schema-valid',
    'resources-read-binary:resources-read-binary',
    'resources-read-binary:wire-schema-valid',
    'resources-templates-read:resources-templates-read',
    'resources-templates-read:wire-schema-valid',
    'resources-subscribe:wire-schema-valid',
    'resources-unsubscribe:wire-schema-valid',
    'prompts-list:prompts-list',
    'prompts-list:wire-schema-valid',
    'prompts-get-simple:prompts-get-simple',
    'prompts-get-simple:wire-schema-valid',
    'prompts-get-with-args:prompts-get-with-args',
    'prompts-get-with-args:wire-schema-valid',
    'prompts-get-embedded-resource:prompts-get-embedded-resource',
    'prompts-get-embedded-resource:wire-schema-valid',
    'prompts-get-with-image:prompts-get-with-image',
    'prompts-get-with-image:wire-schema-valid',
    'dns-rebinding-protection:localhost-host-valid-accepted',
    // Unscored (pending), passed through intact.
    'json-schema-2020-12:json-schema-2020-12-tool-found',
    'json-schema-2020-12:json-schema-2020-12-$schema',
    'json-schema-2020-12:json-schema-2020-12-$defs',
    'json-schema-2020-12:json-schema-2020-12-additionalProperties',
    'json-schema-2020-12:sep-2106-composition-keywords-preserved',
    'json-schema-2020-12:sep-2106-conditional-keywords-preserved',
    'json-schema-2020-12:sep-2106-anchor-keyword-preserved',
    'json-schema-2020-12:wire-schema-valid',
  ],
  // 9 of the 164 checks the fixture passes directly, every one only because the
  // gateway refuses all 2026-07-28 traffic: its SDK v1 transport answers any
  // `MCP-Protocol-Version: 2026-07-28` with HTTP 400 / -32000 "Unsupported
  // protocol version", which these checks (expecting a 400, an error, or no
  // unwanted result) happen to accept. Once 2026-07-28 is served, each must
  // be earned for real: the DNS-rebinding one needs Host/Origin validation.
  '2026-07-28': [
    'server-stateless:sep-2575-http-server-meta-invalid-400',
    'server-stateless:sep-2575-http-server-unsupported-version-400',
    'server-stateless:sep-2575-server-honors-notification-filter',
    'sep-2164-resource-not-found:sep-2164-no-empty-contents',
    'dns-rebinding-protection:localhost-host-rebinding-rejected',
    'input-required-result-unsupported-methods:sep-2322-not-on-unsupported-requests',
    'input-required-result-validate-input:sep-2322-validate-input-responses',
    'input-required-result-validate-input:sep-2322-error-on-protocol-error',
    'input-required-result-validate-input:wire-schema-valid',
  ],
};

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { matchRoute, routes, type Route } from '../../functions/core/routes.js';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { startTinyMcpServer, type TinyMcpServer } from '../mcp/tiny-mcp-server.js';
import { completionBody, endSse, sendChunk, sendJson, sendUsageChunk, startFakeUpstream, startSse, type FakeUpstream } from '../support/fake-openai-upstream.js';
import { generateKey, masterKey, startTestGateway } from '../support/gateway.js';
import { anyJson, deeplyNested, malformedJsonText, mutatedBody, nastyString } from './support/bad-input.js';
import { isAnthropicErrorEnvelope, isErrorEnvelope, isJsonRpcError, parseOrUndefined, probe, rawExchange, reportFigures, type Probed } from './support/probe.js';

const maxBodyBytes = 256 * 1024;
const requestTimeoutMs = 10_000;
const mcpAccept = 'application/json, text/event-stream';

/** A valid body for every POST operation: the fuzzers start from these and break them. */
const seedsFor = (operation: Route['operation'], victimKey: string): unknown[] => {
  switch (operation) {
    case 'messages.create':
      return [
        {
          model: 'echo',
          max_tokens: 16,
          system: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral' } }],
          messages: [
            { role: 'user', content: [{ type: 'text', text: 'hello there' }] },
            { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'x' } }] },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'found' }] },
          ],
          tools: [{ name: 'lookup', description: 'd', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }],
          tool_choice: { type: 'auto' },
          stop_sequences: ['zz'],
          temperature: 0.5,
          metadata: { user_id: 'fuzzer' },
        },
        { model: 'echo', max_tokens: 8, stream: true, messages: [{ role: 'user', content: 'stream me' }] },
      ];
    case 'responses.create':
      return [
        { model: 'echo', input: 'hello', instructions: 'be brief', max_output_tokens: 8, metadata: { a: 'b' }, store: false },
        { model: 'echo', stream: true, store: false, input: [{ role: 'user', content: [{ type: 'input_text', text: 'stream me' }] }] },
        {
          model: 'echo',
          store: false,
          tool_choice: 'required',
          tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: {} } }],
          input: [{ type: 'function_call', call_id: 'c1', name: 'lookup', arguments: '{}' }, { type: 'function_call_output', call_id: 'c1', output: 'done' }],
        },
        { model: 'echo', store: false, tool_choice: 'required', tools: [{ type: 'mcp', server_label: 'tiny', allowed_tools: ['echo'], require_approval: 'never' }], input: '{"text":"hi"}' },
        { model: 'echo', store: false, tools: [{ type: 'file_search', vector_store_ids: ['docs'] }], include: ['file_search_call.results'], input: 'budget' },
        { model: 'relay', store: false, text: { format: { type: 'json_schema', name: 'x', schema: { type: 'object' } } }, reasoning: { effort: 'low' }, input: 'relay me' },
      ];
    case 'messages.count_tokens':
      return [{ model: 'echo', messages: [{ role: 'user', content: 'count me' }] }];
    case 'chat.completions':
      return [
        {
          model: 'echo',
          messages: [
            { role: 'system', content: 'be brief' },
            { role: 'user', content: [{ type: 'text', text: 'hello there' }] },
          ],
          max_tokens: 16,
          temperature: 0.5,
          top_p: 1,
          stop: ['zz'],
          tools: [{ type: 'function', function: { name: 'lookup', description: 'd', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }],
          tool_choice: 'auto',
          response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } },
          metadata: { purpose: 'fuzz' },
          user: 'fuzzer',
        },
        { model: 'echo', stream: true, stream_options: { include_usage: true }, max_completion_tokens: 8, messages: [{ role: 'user', content: 'stream me' }] },
        {
          model: 'relay',
          messages: [
            { role: 'user', content: 'call it' },
            { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] },
            { role: 'tool', tool_call_id: 'call_1', content: 'result' },
          ],
          tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
        },
        { model: 'relay', stream: true, messages: [{ role: 'developer', content: 'terse' }, { role: 'user', content: 'relay me' }] },
        { model: 'echo', tool_choice: 'required', tools: [{ type: 'mcp', server_label: 'tiny', allowed_tools: ['echo'] }], messages: [{ role: 'user', content: '{"text":"hi"}' }] },
        { model: 'echo', tools: [{ type: 'file_search', vector_store_ids: ['docs'], max_num_results: 2 }], messages: [{ role: 'user', content: 'budget' }] },
        { model: 'echo', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } }] }] },
      ];
    case 'embeddings':
      return [
        { model: 'emb', input: ['first text', 'second text'], encoding_format: 'float' },
        { model: 'emb', input: 'one text', dimensions: 8, user: 'u' },
      ];
    case 'vector_stores.search':
      return [{ query: 'budget limits', max_num_results: 3, filters: { type: 'eq', key: 'kind', value: 'doc' }, ranking_options: { score_threshold: 0.1 } }];
    case 'mcp.endpoint':
      return [
        { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } } },
        { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} },
        { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'tiny__echo', arguments: { text: 'hi' } } },
        { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } },
        [
          { jsonrpc: '2.0', id: 5, method: 'ping' },
          { jsonrpc: '2.0', method: 'notifications/initialized' },
        ],
      ];
    case 'mcp.tools.call':
      return [{ name: 'tiny__echo', arguments: { text: 'hi' } }, { name: 'tiny__echo', arguments: '{"text":"as a string"}' }];
    case 'key.generate':
      return [{ key_alias: 'fuzz', models: ['echo'], max_budget: 1, budget_duration: '1d', rpm_limit: 100, tpm_limit: 1000, duration: '1h', metadata: { team: 'a' }, mcp_tool_permissions: { tiny: ['echo'] } }];
    case 'key.update':
      return [{ key: victimKey, key_alias: 'victim', blocked: false, max_budget: 2, soft_budget: 1, expires: '2099-01-01T00:00:00Z' }];
    case 'key.delete':
      return [{ keys: ['sk-not-a-real-key-000000000000'], key_aliases: ['nobody'] }];
    case 'team.new':
      return [{ team_id: 'fuzz-team', team_alias: 'Fuzz', max_budget: 5, models: ['echo'], knowledge_bases: ['docs'] }];
    case 'team.update':
      return [{ team_id: 'fuzz-team', blocked: false, max_budget: 3, metadata: { owner: 'me' } }];
    case 'team.delete':
      return [{ team_ids: ['no-such-team'] }];
    default:
      return [];
  }
};

const queryNames = ['key', 'team_id', 'page', 'size', 'key_alias', 'return_full_object', 'start_date', 'end_date', 'model', 'limit', 'cursor', 'api_key', 'user_id'];

/**
 * The seed rotates per run, so CI explores a new corner each time, and is
 * printed: `FUZZ_SEED=<seed> npx vitest run test/hardening/bad-input.test.ts`
 * replays a failure. FUZZ_SCALE runs more cases.
 */
const baseSeed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`[hardening] bad input: fuzz seed ${baseSeed} (replay with FUZZ_SEED=${baseSeed})`);
const runScale = Number(process.env.FUZZ_SCALE ?? 1);

const isMcpRoute = (route: Route) => route.operation === 'mcp.endpoint';

/** A path segment; lone surrogates (which `encodeURIComponent` refuses) are sent as the bytes of U+FFFD. */
const encodePathSegment = (text: string) => encodeURIComponent(text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));


describe('bad input on every route of the route table', () => {
  let tiny: TinyMcpServer;
  let upstream: FakeUpstream;
  let gateway: LocalGateway;
  let key: string;
  let victimKey: string;
  let documents: string;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  const figures = { cases: 0, requests: 0, serverErrors: 0, hangs: 0, healthChecks: 0 };
  const serverErrors: string[] = [];

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    documents = mkdtempSync(join(tmpdir(), 'tollway-fuzz-kb-'));
    writeFileSync(join(documents, 'budgets.md'), '# Budgets\n\nA key with max_budget stops at its budget; limits are enforced atomically.\n');
    writeFileSync(join(documents, 'keys.md'), '# Keys\n\nVirtual keys are stored as SHA-256 hashes only.\n');
    tiny = await startTinyMcpServer({ tools: ['echo', 'oops'] });
    upstream = await startFakeUpstream((request, response) => {
      if (request.body.stream) {
        startSse(response);
        sendChunk(response, { role: 'assistant', content: '' });
        sendChunk(response, { content: 'relayed' });
        sendChunk(response, {}, 'stop');
        sendUsageChunk(response);
        endSse(response);
      } else {
        sendJson(response, 200, completionBody({ content: 'relayed' }, 'stop'));
      }
    });
    gateway = await startTestGateway(`
models:
  - name: echo
    provider: echo
    price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }
  - name: relay
    provider: openai-compatible
    base_url: ${upstream.baseUrl}
    model: relay-model
    timeout_ms: 3000
  - name: emb
    provider: echo
    mode: embedding
mcp_servers:
  - name: tiny
    url: ${tiny.url}
    timeout_ms: 3000
knowledge_bases:
  - name: docs
    provider: local
    path: ${JSON.stringify(documents)}
settings:
  max_body_bytes: ${maxBodyBytes}
  cors_origins: ['https://app.example']
`);
    key = await generateKey(gateway, { key_alias: 'fuzz-main' });
    victimKey = await generateKey(gateway, { key_alias: 'fuzz-victim' });
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await gateway?.close();
    await upstream?.close();
    await tiny?.close();
    if (documents) rmSync(documents, { recursive: true, force: true });
    reportFigures('bad input', { ...figures, unhandledRejections: unhandled.length });
  });

  afterEach(async () => {
    // The process stays up and keeps answering after every property.
    const health = await probe(`${gateway.url}/health`, {}, 5_000);
    figures.healthChecks += 1;
    expect(health.status).toBe(200);
    expect(unhandled).toEqual([]);
    // Reported once, by the property that met them.
    expect(serverErrors.splice(0)).toEqual([]);
  });

  const credentialFor = (route: Route) => (route.auth === 'master' ? masterKey : route.auth === 'key' || route.auth === 'key_or_master' ? key : undefined);

  /** Sends one request and checks the invariants every answer to bad input must keep. */
  const send = async (route: Route, path: string, init: RequestInit & { headers?: Record<string, string> }): Promise<Probed> => {
    figures.requests += 1;
    let answer: Probed;
    try {
      answer = await probe(`${gateway.url}${path}`, init, requestTimeoutMs);
    } catch (error) {
      figures.hangs += 1;
      throw error;
    }
    const describe = () => `${init.method} ${path} ${String(init.body ?? '').slice(0, 300)} → ${answer.status} ${answer.text.slice(0, 300)}`;
    if (answer.status >= 500) {
      figures.serverErrors += 1;
      serverErrors.push(describe());
    }
    expect(answer.status, describe()).toBeLessThan(500);
    expect(answer.headers.get('x-request-id'), describe()).toBeTruthy();
    if (answer.status >= 400) {
      const shaped = isErrorEnvelope(answer.json) || (isMcpRoute(route) && isJsonRpcError(answer.json)) || (route.path.startsWith('/v1/messages') && isAnthropicErrorEnvelope(answer.json));
      expect(shaped, `error body not in the envelope: ${describe()}`).toBe(true);
    } else if (isMcpRoute(route) && answer.status === 200) {
      expect(answer.json, describe()).toBeDefined();
    }
    return answer;
  };

  const concretePath = (route: Route, parameter: string) => route.path.replace(/\{[^}]+\}/, encodePathSegment(parameter));
  const parameterFor = (route: Route) =>
    route.path.includes('{server}')
      ? fc.oneof(fc.constant('tiny'), fc.constant('tiny'), nastyString)
      : route.path.includes('{id}')
        ? fc.oneof(fc.constant('docs'), fc.constant('docs'), nastyString)
        : fc.constant('');

  const postRoutes = routes.filter((route) => route.method === 'POST');
  const getRoutes = routes.filter((route) => route.method === 'GET');

  it('answers mutated bodies (missing fields, wrong types, odd values) on every POST route with a 2xx or a 4xx envelope', async () => {
    const cases = fc.oneof(
      ...postRoutes.flatMap((route) =>
        seedsFor(route.operation, 'sk-victim-placeholder').map((seed) =>
          fc.record({ route: fc.constant(route), parameter: parameterFor(route), body: mutatedBody(seed) }),
        ),
      ),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ({ route, parameter, body }) => {
        figures.cases += 1;
        const text = JSON.stringify(body, (field, value) => (field === 'key' && value === 'sk-victim-placeholder' ? victimKey : value));
        await send(route, concretePath(route, parameter), {
          method: 'POST',
          headers: { authorization: `Bearer ${credentialFor(route)}`, 'content-type': 'application/json', accept: mcpAccept },
          body: text,
        });
      }),
      { numRuns: 1000 * runScale, seed: baseSeed },
    );
  });

  it('answers malformed JSON and JSON that is not an object with 400 invalid_json (JSON-RPC parse errors on MCP routes)', async () => {
    const cases = fc.oneof(
      ...postRoutes.map((route) =>
        fc.record({ route: fc.constant(route), parameter: parameterFor(route), text: malformedJsonText(seedsFor(route.operation, victimKey)[0]) }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ({ route, parameter, text }) => {
        figures.cases += 1;
        const answer = await send(route, concretePath(route, parameter), {
          method: 'POST',
          headers: { authorization: `Bearer ${credentialFor(route)}`, 'content-type': 'application/json', accept: mcpAccept },
          body: text,
        });
        let parsed: unknown;
        try {
          // A leading byte-order mark is dropped when the body is decoded, as UTF-8 decoders do.
          parsed = JSON.parse(text.replace(/^\ufeff/, ''));
        } catch {
          parsed = undefined;
        }
        const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
        const unknownRoute = (answer.json as { error?: { code?: string } } | undefined)?.error?.code === 'route_not_found';
        if (!isObject && !isMcpRoute(route) && !unknownRoute) expect(answer.status, `${route.path} ${JSON.stringify(text)}`).toBe(400);
        if (parsed === undefined && isMcpRoute(route) && answer.status !== 404) expect(isJsonRpcError(answer.json), answer.text).toBe(true);
      }),
      { numRuns: 400 * runScale, seed: baseSeed + 1 },
    );
  });

  it('answers odd query strings on every GET route with a 2xx or a 4xx envelope', async () => {
    const query = fc.array(fc.tuple(fc.constantFrom(...queryNames), fc.oneof(nastyString, fc.constantFrom('-1', '0', '1e9', 'NaN', 'true', '2026-13-45', '9999-12-31'))), { maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...getRoutes), query, async (route, pairs) => {
        figures.cases += 1;
        const search = new URLSearchParams(pairs.map(([name, value]) => [name, value.replace(/[\ud800-\udfff]/g, '')])).toString();
        await send(route, `${route.path}${search ? `?${search}` : ''}`, { method: 'GET', headers: { authorization: `Bearer ${credentialFor(route) ?? ''}` } });
      }),
      { numRuns: 250 * runScale, seed: baseSeed + 2 },
    );
  });

  it('answers odd Authorization headers with 401 and lets no near-miss of a key or the master key in', async () => {
    const nearMisses = (secret: string) => [
      secret.slice(0, -1),
      `${secret}x`,
      secret.slice(1),
      secret.toUpperCase(),
      `${secret.slice(0, -1)}${secret.at(-1) === 'a' ? 'b' : 'a'}`,
      `${secret} ${secret}`,
      secret.slice(0, 8),
    ];
    const authorization = fc.oneof(
      fc.constantFrom('', 'Bearer', 'Bearer ', 'Bearer\t', 'Basic dXNlcjpwYXNz', 'Token abc', 'bearer', 'Bearer null', 'Bearer undefined', 'Bearer sk-'),
      fc.constantFrom(...nearMisses(key), ...nearMisses(masterKey)).map((value) => `Bearer ${value}`),
      fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 6000 }).map((value) => `Bearer ${value}`),
    );
    const guarded = routes.filter((route) => route.auth !== 'none');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...guarded), authorization, fc.boolean(), async (route, value, asApiKey) => {
        figures.cases += 1;
        const headers: Record<string, string> = { 'content-type': 'application/json', accept: mcpAccept };
        headers[asApiKey ? 'x-api-key' : 'authorization'] = value;
        const body = route.method === 'POST' ? JSON.stringify(seedsFor(route.operation, victimKey)[0] ?? {}) : undefined;
        const answer = await send(route, concretePath(route, route.path.includes('{server}') ? 'tiny' : 'docs'), { method: route.method, headers, body });
        expect(answer.status, `${route.path} with ${JSON.stringify(value.slice(0, 60))}`).toBe(401);
      }),
      { numRuns: 300 * runScale, seed: baseSeed + 3 },
    );
  });

  it('refuses bodies over max_body_bytes with 413 on every POST route, declared or streamed, without reading them whole', async () => {
    for (const route of postRoutes) {
      const path = concretePath(route, route.path.includes('{server}') ? 'tiny' : 'docs');
      const headers = { authorization: `Bearer ${credentialFor(route)}`, 'content-type': 'application/json', accept: mcpAccept };
      const oversized = JSON.stringify({ model: 'echo', padding: 'x'.repeat(maxBodyBytes) });
      figures.cases += 1;
      const declared = await send(route, path, { method: 'POST', headers, body: oversized });
      expect(declared.status, route.path).toBe(413);
      // 5 MB with no length announced: chunked, so the limit is enforced while reading.
      const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 80) return controller.close();
          sent += 1;
          controller.enqueue(sent === 1 ? new TextEncoder().encode('{"padding":"') : chunk);
        },
      });
      figures.cases += 1;
      const streamed = await send(route, path, { method: 'POST', headers, body: stream, duplex: 'half' } as RequestInit & { headers: Record<string, string> });
      expect(streamed.status, route.path).toBe(413);
    }
  });

  it('survives deep nesting and huge arrays within the size limit', async () => {
    const deep = deeplyNested(20_000, 'object');
    const bodies = [
      deeplyNested(100_000, 'array'),
      deeplyNested(40_000, 'object'),
      `{"model":"echo","messages":[{"role":"user","content":"hi"}],"metadata":${deeplyNested(30_000, 'object')}}`,
      `{"model":"echo","messages":${JSON.stringify(Array.from({ length: 9_000 }, () => ({ role: 'user', content: 'x' })))}}`,
      `{"model":"echo","messages":${JSON.stringify(Array.from({ length: 10_001 }, () => ({ role: 'user', content: '' })))}}`,
      `{"model":"relay","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"deep","parameters":${deep}}}]}`,
      `{"model":"relay","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"deep","schema":${deep}}}}`,
      `{"model":"echo","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"file_search","vector_store_ids":["docs"],"filters":${deep}}]}`,
      `{"name":"tiny__echo","arguments":${deep}}`,
      `{"key_alias":"deep","metadata":${deeplyNested(5_000, 'object')}}`,
      `{"team_id":"deep-team","metadata":${deeplyNested(31, 'object')}}`,
      `{"query":"x","filters":${deep}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"tiny__echo","arguments":${deep}}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":${deep}}}`,
      JSON.stringify({ model: 'emb', input: Array.from({ length: 50_000 }, () => 'a') }),
    ];
    for (const route of postRoutes) {
      for (const body of bodies) {
        figures.cases += 1;
        await send(route, concretePath(route, route.path.includes('{server}') ? 'tiny' : 'docs'), {
          method: 'POST',
          headers: { authorization: `Bearer ${credentialFor(route)}`, 'content-type': 'application/json', accept: mcpAccept },
          body,
        });
      }
    }
  });

  it('answers every other method on every path of the route table with 405 and an Allow header', async () => {
    const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
    for (const route of routes) {
      const path = concretePath(route, route.path.includes('{server}') ? 'tiny' : 'docs');
      const allowed = routes.filter((other) => other.path === route.path).map((other) => other.method as string);
      for (const method of methods.filter((candidate) => !allowed.includes(candidate))) {
        figures.cases += 1;
        const answer = await send(route, path, {
          method,
          headers: { authorization: `Bearer ${credentialFor(route) ?? key}`, 'content-type': 'application/json' },
          body: method === 'GET' ? undefined : '{}',
        });
        expect(answer.status, `${method} ${path}`).toBe(405);
        expect(route.path.startsWith('/v1/messages') ? isAnthropicErrorEnvelope(answer.json) : isErrorEnvelope(answer.json)).toBe(true);
        expect(answer.headers.get('allow')?.split(', ').sort()).toEqual([...allowed].sort());
      }
    }
  });

  it('answers arbitrary paths without a 5xx (404 route_not_found for unknown ones)', async () => {
    const segment = fc.oneof(fc.constantFrom('v1', 'mcp', 'key', '..', '.', '%2e%2e', '%2F', 'v2', 'chat', 'completions', ''), nastyString.map(encodePathSegment));
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.constantFrom('GET', 'POST'), async (segments, method) => {
        const path = `/${segments.join('/')}`;
        figures.cases += 1;
        const { match, allowedMethods } = matchRoute(method, new URL(`${gateway.url}${path}`).pathname);
        const answer = await send(match?.route ?? routes[0], path, { method, headers: { authorization: `Bearer ${key}` }, body: method === 'POST' ? '{}' : undefined });
        if (!match && allowedMethods.length === 0) expect(answer.status, path).toBe(404);
        if (!match && allowedMethods.length > 0) expect(answer.status, path).toBe(405);
      }),
      { numRuns: 150 * runScale, seed: baseSeed + 4 },
    );
  });

  it('answers malformed JSON-RPC on /mcp and /mcp/{server} with JSON-RPC errors, never a 5xx', async () => {
    const message = fc.oneof(
      fc.record({ jsonrpc: fc.oneof(fc.constant('2.0'), anyJson), id: anyJson, method: fc.oneof(fc.constantFrom('tools/call', 'tools/list', 'initialize', 'resources/read', 'prompts/get', 'ping', 'logging/setLevel', 'completion/complete', 'no/such'), nastyString), params: anyJson }, { requiredKeys: [] }),
      anyJson,
    );
    const body = fc.oneof(message, fc.array(message, { maxLength: 4 }));
    const accept = fc.constantFrom(mcpAccept, 'application/json', 'text/event-stream', '*/*', '');
    const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', '');
    const protocolVersion = fc.constantFrom(undefined, '2025-06-18', '2024-11-05', 'nonsense');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/mcp', '/mcp/tiny'), body, accept, contentType, protocolVersion, async (path, payload, acceptValue, type, version) => {
        figures.cases += 1;
        const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept: acceptValue, 'content-type': type };
        if (version) headers['mcp-protocol-version'] = version;
        const answer = await send(routes.find((route) => route.path === (path === '/mcp' ? '/mcp' : '/mcp/{server}'))!, path, {
          method: 'POST',
          headers,
          body: JSON.stringify(payload) ?? 'undefined',
        });
        if (answer.status >= 400) expect(isJsonRpcError(answer.json), answer.text).toBe(true);
      }),
      { numRuns: 400 * runScale, seed: baseSeed + 5 },
    );
  });

  it('answers control characters, bad request lines and oversized headers at the HTTP layer with a 4xx envelope', async () => {
    const port = Number(new URL(gateway.url).port);
    const headerValue = fc.oneof(
      fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 40 }),
      fc.constantFrom('\u0000', 'a\rb', 'a\nb', '\u007f', 'ÿþ', 'a\u0001b'),
    );
    await fc.assert(
      fc.asyncProperty(headerValue, fc.constantFrom('authorization', 'x-api-key', 'content-type', 'x-odd'), async (value, name) => {
        figures.cases += 1;
        const request = Buffer.from(`GET /v1/models HTTP/1.1\r\nHost: localhost\r\n${name}: ${value}\r\nConnection: close\r\n\r\n`, 'latin1');
        const { status, text, body } = await rawExchange(port, request);
        figures.requests += 1;
        expect(status, JSON.stringify(value)).toBeGreaterThanOrEqual(200);
        expect(status, text).toBeLessThan(500);
        if (status >= 400) expect(isErrorEnvelope(parseOrUndefined(body)), text).toBe(true);
      }),
      { numRuns: 200 * runScale, seed: baseSeed + 6 },
    );
    const oddRequests = [
      `GET /v1/models HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${'x'.repeat(40_000)}\r\n\r\n`,
      `GET /v1/models HTTP/1.1\r\nHost: localhost\r\n${Array.from({ length: 2_000 }, (_, index) => `x-h${index}: v`).join('\r\n')}\r\n\r\n`,
      'GARBAGE\r\n\r\n',
      'GET /health HTTP/9.9\r\nHost: localhost\r\n\r\n',
      'POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Length: -5\r\n\r\n',
      'POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      `POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${key}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"mod\r\nzz\r\n`,
      'GET /health\u0000 HTTP/1.1\r\nHost: localhost\r\n\r\n',
    ];
    for (const request of oddRequests) {
      figures.cases += 1;
      figures.requests += 1;
      const { status, text, body } = await rawExchange(port, request);
      expect(status, `${JSON.stringify(request.slice(0, 80))} → ${text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(status, text.slice(0, 200)).toBeLessThan(500);
      expect(isErrorEnvelope(parseOrUndefined(body)), text.slice(0, 300)).toBe(true);
    }
  });
});

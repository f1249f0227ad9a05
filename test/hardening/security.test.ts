import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey, secretsEqual } from '../../functions/core/auth/key-hash.js';
import { parseConfig } from '../../functions/core/config/load.js';
import type { Gateway } from '../../functions/core/gateway-types.js';
import { silentLogger } from '../../functions/core/logger.js';
import { localDynamoClients } from '../../functions/local/local-dynamodb.js';
import { createGatewayRuntime } from '../../functions/runtime/create-gateway.js';
import { startTinyMcpServer, type TinyMcpServer } from '../mcp/tiny-mcp-server.js';
import { completionBody, sendJson, startFakeUpstream, type FakeUpstream } from '../support/fake-openai-upstream.js';
import { admin, generateKey, masterKey, recordingLogger } from '../support/gateway.js';
import { injectDynamoFaults, inspector, startGatewayBehindDynamoProxy, throttled, type ProxiedGateway } from '../support/dynamo-fault-proxy.js';
import { isErrorEnvelope, probe, reportFigures } from './support/probe.js';

const keyCacheTtlSeconds = 3;
const upstreamSecret = 'sk-upstream-secret-7f3a9c0e5b';
const mcpSecret = 'mcp-header-secret-1d8e6f2a4c';
const privatePrompt = 'the acquisition of Globex closes on Friday';
const allowedOrigin = 'https://app.example.com';

/** A server nobody should ever call: the gateway must not fetch client-supplied URLs. */
const startCanary = async () => {
  const hits: string[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    hits.push(`${incoming.method} ${incoming.url}`);
    outgoing.writeHead(200, { 'content-type': 'image/png' }).end('not really a png');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    hits,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

describe('security', () => {
  let upstream: FakeUpstream;
  let tiny: TinyMcpServer;
  let canary: Awaited<ReturnType<typeof startCanary>>;
  let gateway: ProxiedGateway;
  const recorded = recordingLogger();
  const figures: Record<string, number | string> = {};
  let upstreamCalls = 0;

  beforeAll(async () => {
    upstream = await startFakeUpstream((_, response) => {
      upstreamCalls += 1;
      // Every other call, an upstream that repeats the credential back in its error, as some do.
      if (upstreamCalls % 2 === 0) sendJson(response, 401, { error: { message: `Incorrect API key provided: ${upstreamSecret}` } });
      else sendJson(response, 200, completionBody({ content: 'answered' }, 'stop'));
    });
    tiny = await startTinyMcpServer({ tools: ['echo', 'fail'] });
    canary = await startCanary();
    gateway = await startGatewayBehindDynamoProxy({
      config: parseConfig(
        `
models:
  - name: echo
    provider: echo
    price: { input_per_mtok: 1, output_per_mtok: 2 }
  - name: relay
    provider: openai-compatible
    base_url: ${upstream.baseUrl}
    model: relay-model
    api_key: env:UPSTREAM_KEY
    timeout_ms: 3000
mcp_servers:
  - name: tiny
    url: ${tiny.url}
    headers: { Authorization: "Bearer secret:mcp-token" }
settings:
  key_cache_ttl_seconds: ${keyCacheTtlSeconds}
  cors_origins: ['${allowedOrigin}']
  router: { num_retries: 0 }
`,
        'security config',
      ),
      port: 0,
      masterKey,
      environment: { UPSTREAM_KEY: upstreamSecret, TOLLWAY_SECRET_MCP_TOKEN: mcpSecret },
      logger: recorded.logger,
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    await tiny?.close();
    await canary?.close();
    reportFigures('security', figures);
  });

  const chat = (key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    probe(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  describe('keys', () => {
    it('stores keys only as SHA-256 hashes: no table holds a key or the master key', async () => {
      await admin(gateway, 'POST', '/team/new', { team_id: 'hash-team' });
      const keys = await Promise.all([generateKey(gateway, { key_alias: 'hash-a' }), generateKey(gateway, { team_id: 'hash-team', max_budget: 5, rpm_limit: 100 })]);
      for (const key of keys) expect((await chat(key, { model: 'echo', messages: [{ role: 'user', content: 'hi' }] })).status).toBe(200);
      await gateway.settled();

      const tables = inspector(gateway);
      try {
        const items = (await Promise.all(Object.values(gateway.tableNames).map((table) => tables.scan(table)))).flat();
        const stored = JSON.stringify(items);
        figures.itemsScanned = items.length;
        for (const secret of [...keys, masterKey]) {
          expect(stored).not.toContain(secret);
          expect(stored).not.toContain(secret.slice(3, 20));
        }
        const keyItems = items.filter((item) => item.type === 'key');
        for (const key of keys) {
          const item = keyItems.find((candidate) => candidate.key_id === hashKey(key));
          expect(item?.pk).toBe(`KEY#${hashKey(key)}`);
          expect(item?.key_hint).toBe(`sk-...${key.slice(-4)}`);
        }
      } finally {
        tables.close();
      }
    });

    it('compares the master key in constant time over SHA-256 digests, refusing every near miss', async () => {
      const nearMisses = [masterKey.slice(0, -1), `${masterKey}0`, masterKey.slice(1), masterKey.toUpperCase(), ` ${masterKey}x`, masterKey.slice(0, 8), 'sk-', ''];
      for (const candidate of nearMisses) {
        const answer = await probe(`${gateway.url}/key/list`, { headers: { authorization: `Bearer ${candidate}` } });
        expect(answer.status, JSON.stringify(candidate)).toBe(401);
        expect(isErrorEnvelope(answer.json)).toBe(true);
      }
      expect((await probe(`${gateway.url}/key/list`, { headers: { authorization: `Bearer ${masterKey}` } })).status).toBe(200);
      expect((await probe(`${gateway.url}/key/list`, { headers: { 'x-api-key': masterKey } })).status).toBe(200);

      // Digests of equal length: inputs of any length compare without throwing, and only equal ones match.
      expect(secretsEqual(masterKey, masterKey)).toBe(true);
      expect(secretsEqual(masterKey.slice(0, -1), masterKey)).toBe(false);
      expect(secretsEqual('x'.repeat(10_000), masterKey)).toBe(false);
      const keyHashSource = readFileSync(new URL('../../functions/core/auth/key-hash.ts', import.meta.url), 'utf8');
      const authenticateSource = readFileSync(new URL('../../functions/core/auth/authenticate.ts', import.meta.url), 'utf8');
      expect(keyHashSource).toMatch(/timingSafeEqual\(createHash\('sha256'\)\.update\(given\)\.digest\(\), createHash\('sha256'\)\.update\(expected\)\.digest\(\)\)/);
      const masterCheck = authenticateSource.slice(authenticateSource.indexOf('export const authenticateMaster'));
      expect(masterCheck.slice(0, masterCheck.indexOf('};'))).toMatch(/secretsEqual\(key, await masterKey\(\)\)/);
      expect(masterCheck.slice(0, masterCheck.indexOf('};'))).not.toMatch(/===|!==/);
    });

    describe('a second instance over the same tables (another Lambda instance)', () => {
      let other: Gateway;

      beforeAll(() => {
        other = createGatewayRuntime({
          config: parseConfig(`models:\n  - name: echo\n    provider: echo\n    price: { input_per_mtok: 1, output_per_mtok: 1 }\nsettings:\n  key_cache_ttl_seconds: ${keyCacheTtlSeconds}\n`, 'other instance'),
          tableNames: gateway.tableNames,
          dynamo: localDynamoClients(gateway.dynaliteEndpoint),
          masterKey: async () => masterKey,
          resolveSecret: async () => undefined,
          environment: {},
          logger: silentLogger,
        });
      });

      const modelsOn = async (instance: 'this' | 'other', key: string) => {
        if (instance === 'this') return (await probe(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status;
        const response = await other.handle(new Request('http://other.local/v1/models', { headers: { authorization: `Bearer ${key}` } }), {
          requestId: 'other',
          waitUntil: () => undefined,
        });
        await response.arrayBuffer();
        return response.status;
      };

      /** Until the other instance refuses `key`: milliseconds after it cached the key, which must be within the TTL. */
      const refusedAfter = async (key: string, cachedAt: number) => {
        for (;;) {
          if ((await modelsOn('other', key)) === 401) return performance.now() - cachedAt;
          if (performance.now() - cachedAt > keyCacheTtlSeconds * 1000 + 2_000) return Number.POSITIVE_INFINITY;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };

      const chatOn = async (instance: Gateway, key: string) => {
        const response = await instance.handle(
          new Request('http://other.local/v1/chat/completions', {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'echo', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
          }),
          { requestId: `budget-${Math.random()}`, waitUntil: () => undefined },
        );
        const body = (await response.json()) as { error?: { code?: string } };
        return { status: response.status, code: body.error?.code };
      };

      it('binds a budget lowered on this instance on the other at once, while that one still caches the old record', async () => {
        const key = await generateKey(gateway, { key_alias: 'lowered-budget', max_budget: 10 });
        // The other instance caches the key with its $10 budget, and serves under it.
        expect(await chatOn(other, key)).toEqual({ status: 200, code: undefined });

        // Below one request's worst case ($0.00002 at $1 per million tokens).
        expect((await admin(gateway, 'POST', '/key/update', { key, max_budget: 0.00001 })).status).toBe(200);

        // Well inside the other instance's key cache TTL, its cached record still says $10: the counter's ceiling refuses.
        const refused = await chatOn(other, key);
        expect(refused).toEqual({ status: 429, code: 'budget_exceeded' });
        expect((await admin(gateway, 'POST', '/key/update', { key, max_budget: 10 })).status).toBe(200);
        expect(await chatOn(other, key)).toEqual({ status: 200, code: undefined });
      });

      for (const change of ['blocked', 'deleted'] as const) {
        it(`stops a key ${change} on this instance at once here, and on the other within key_cache_ttl_seconds but not before`, async () => {
          const key = await generateKey(gateway, { key_alias: `ttl-${change}` });
          expect(await modelsOn('other', key)).toBe(200);
          const cachedAt = performance.now();

          if (change === 'blocked') expect((await admin(gateway, 'POST', '/key/update', { key, blocked: true })).status).toBe(200);
          else expect((await admin(gateway, 'POST', '/key/delete', { keys: [key] })).status).toBe(200);

          expect(await modelsOn('this', key)).toBe(401);
          // The other instance still trusts its cached record: the documented window is real.
          const stillServedAt = performance.now() - cachedAt;
          expect(stillServedAt).toBeLessThan(keyCacheTtlSeconds * 1000);
          expect(await modelsOn('other', key)).toBe(200);
          const refusedAt = await refusedAfter(key, cachedAt);
          figures[`${change}KeyRefusedByOtherInstanceAfterMs`] = Math.round(refusedAt);
          // Slack for the polling interval and the request itself, not for the cache.
          expect(refusedAt).toBeLessThanOrEqual(keyCacheTtlSeconds * 1000 + 750);
          expect(refusedAt).toBeGreaterThan(stillServedAt);
        });
      }
    });
  });

  describe('no server-side fetch of client-supplied URLs', () => {
    let key: string;
    beforeAll(async () => {
      key = await generateKey(gateway, { key_alias: 'urls' });
    });

    it('accepts images only as data: URLs of raster types, refusing remote, private and metadata addresses without fetching them', async () => {
      const refused = [
        `${canary.origin}/cat.png`,
        'https://example.com/cat.png',
        'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
        'http://[fd00:ec2::254]/latest/meta-data/',
        'http://metadata.google.internal/computeMetadata/v1/',
        'http://10.0.0.1/internal.png',
        'http://[::1]:4000/health',
        'http://localhost/admin',
        'file:///etc/passwd',
        'ftp://example.com/cat.png',
        'gopher://127.0.0.1:6379/_INFO',
        'javascript:alert(1)',
        'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
        'data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+',
        `data:image/png;base64,iVBORw0KGgo=#${canary.origin}`,
        'DATA:image/png;base64,iVBORw0KGgo=',
      ];
      for (const url of refused) {
        const answer = await chat(key, { model: 'echo', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }] });
        expect(answer.status, url).toBe(400);
        expect(answer.json, url).toMatchObject({ error: { code: 'unsupported_image_url', param: 'messages[0].content[0].image_url.url' } });
      }
      const accepted = await chat(key, { model: 'echo', messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] }] });
      expect(accepted.status).toBe(200);
      expect(canary.hits).toEqual([]);
      figures.imageUrlsRefused = refused.length;
    });

    it('reaches MCP servers only from the config: client-supplied server URLs and unknown servers are refused', async () => {
      const attempts: Array<{ name: string; send: () => Promise<{ status: number; json: unknown }> }> = [
        { name: 'server_url beside a configured label', send: () => chat(key, { model: 'echo', tools: [{ type: 'mcp', server_label: 'tiny', server_url: `${canary.origin}/mcp` }], messages: [{ role: 'user', content: 'x' }] }) },
        { name: 'server_url with its own label', send: () => chat(key, { model: 'echo', tools: [{ type: 'mcp', server_label: 'evil', server_url: `${canary.origin}/mcp` }], messages: [{ role: 'user', content: 'x' }] }) },
        { name: 'a URL as the label', send: () => chat(key, { model: 'echo', tools: [{ type: 'mcp', server_label: `${canary.origin}/mcp` }], messages: [{ role: 'user', content: 'x' }] }) },
        { name: 'an unknown label', send: () => chat(key, { model: 'echo', tools: [{ type: 'mcp', server_label: 'nobody' }], messages: [{ role: 'user', content: 'x' }] }) },
        { name: '/mcp/{unknown}', send: () => probe(`${gateway.url}/mcp/nobody`, { method: 'POST', headers: { authorization: `Bearer ${key}`, accept: 'application/json, text/event-stream', 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' }) },
        { name: '/mcp/{url}', send: () => probe(`${gateway.url}/mcp/${encodeURIComponent(`${canary.origin}/mcp`)}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, accept: 'application/json, text/event-stream', 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' }) },
        { name: 'a tool of an unknown server', send: () => probe(`${gateway.url}/v1/mcp/tools/call`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'nobody__echo', arguments: { url: canary.origin } }) }) },
      ];
      for (const attempt of attempts) {
        const answer = await attempt.send();
        expect(answer.status, attempt.name).toBeGreaterThanOrEqual(400);
        expect(answer.status, attempt.name).toBeLessThan(500);
        expect(isErrorEnvelope(answer.json), attempt.name).toBe(true);
      }
      expect((await attempts[0].send()).json).toMatchObject({ error: { param: 'tools[0].server_url' } });
      for (const index of [2, 3, 4, 5, 6]) expect((await attempts[index].send()).status, attempts[index].name).toBe(404);
      expect(canary.hits).toEqual([]);
      figures.mcpUrlAttemptsRefused = attempts.length;
    });
  });

  describe('CORS', () => {
    it('grants only the configured origin, on preflights and on answers', async () => {
      const preflight = (origin: string) =>
        probe(`${gateway.url}/v1/chat/completions`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
      const granted = await preflight(allowedOrigin);
      expect(granted.status).toBe(204);
      expect(granted.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
      expect(granted.headers.get('access-control-allow-methods')).toContain('POST');
      expect(granted.headers.get('access-control-allow-headers')).toContain('authorization');
      for (const origin of ['https://evil.example', 'https://app.example.com.evil.example', 'null', 'http://app.example.com']) {
        const refused = await preflight(origin);
        expect(refused.headers.get('access-control-allow-origin'), origin).toBeNull();
      }

      const key = await generateKey(gateway, { key_alias: 'cors' });
      const answer = await chat(key, { model: 'echo', messages: [{ role: 'user', content: 'hi' }] }, { origin: allowedOrigin });
      expect(answer.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
      expect(answer.headers.get('access-control-expose-headers')).toContain('x-request-id');
      const foreign = await chat(key, { model: 'echo', messages: [{ role: 'user', content: 'hi' }] }, { origin: 'https://evil.example' });
      expect(foreign.status).toBe(200);
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('logs', () => {
    it('hold no key, master key, upstream or MCP credential, or prompt text, on success, refusal and failure paths', async () => {
      const key = await generateKey(gateway, { key_alias: 'logged' });
      const keyedKey = await generateKey(gateway, { key_alias: 'logged-two', rpm_limit: 1000, max_budget: 10 });
      const messages = [{ role: 'user', content: privatePrompt }];
      const jsonHeaders = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const mcpHeaders = { ...jsonHeaders, accept: 'application/json, text/event-stream' };
      const faults = injectDynamoFaults(gateway);
      const actions: Array<() => Promise<unknown>> = [
        () => chat(key, { model: 'echo', messages }),
        () => chat(key, { model: 'echo', stream: true, messages }),
        () => chat(key, { model: 'relay', messages }),
        () => chat(key, { model: 'relay', messages }),
        () => chat(key, { model: 'relay', stream: true, messages }),
        () => chat(keyedKey, { model: 'echo', tool_choice: 'required', tools: [{ type: 'mcp', server_label: 'tiny' }], messages: [{ role: 'user', content: JSON.stringify({ text: privatePrompt }) }] }),
        () => probe(`${gateway.url}/v1/mcp/tools/call`, { method: 'POST', headers: jsonHeaders, body: JSON.stringify({ name: 'tiny__echo', arguments: { text: privatePrompt } }) }),
        () => probe(`${gateway.url}/v1/mcp/tools/call`, { method: 'POST', headers: jsonHeaders, body: JSON.stringify({ name: 'tiny__fail', arguments: { text: privatePrompt } }) }),
        () => probe(`${gateway.url}/mcp`, { method: 'POST', headers: mcpHeaders, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'tiny__echo', arguments: { text: privatePrompt } } }) }),
        () => probe(`${gateway.url}/mcp/tiny`, { method: 'POST', headers: mcpHeaders, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'fail', arguments: { text: privatePrompt } } }) }),
        () => probe(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders, body: `{"model":"echo","messages":[{"role":"user","content":"${privatePrompt}"` }),
        () => chat(`${key}x`, { model: 'echo', messages }),
        () => probe(`${gateway.url}/key/list`, { headers: { authorization: `Bearer ${masterKey.slice(0, -1)}` } }),
        () => admin(gateway, 'GET', `/key/info?key=${key}`),
        () => admin(gateway, 'GET', '/spend/logs'),
        async () => {
          // DynamoDB down: the key lookup and the limits both fail, and are logged.
          faults.set((call) => (call.table === gateway.tableNames.budgets ? throttled() : undefined));
          await chat(keyedKey, { model: 'echo', messages });
          faults.set((call) => (call.operation === 'GetItem' && call.table === gateway.tableNames.keys ? throttled() : undefined));
          await chat(await generateKey(gateway, { key_alias: 'uncached' }), { model: 'echo', messages });
          faults.clear();
        },
      ];
      for (const action of actions) await action();
      await gateway.settled();

      expect(tiny.headers.some((headers) => headers.authorization === `Bearer ${mcpSecret}`)).toBe(true);
      const logs = recorded.lines.join('\n');
      figures.logLinesChecked = recorded.lines.length;
      expect(recorded.lines.length).toBeGreaterThan(10);
      expect(logs).toMatch(/limit counters unavailable/);
      expect(logs).toMatch(/key store unavailable/);
      for (const secret of [key, keyedKey, masterKey, masterKey.slice(0, -1), upstreamSecret, mcpSecret, privatePrompt, 'acquisition of Globex']) {
        expect(logs, `a log line holds ${secret.slice(0, 12)}…`).not.toContain(secret);
      }
    });
  });
});

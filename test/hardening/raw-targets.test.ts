import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/core/routes.js';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { generateKey, masterKey, startTestGateway } from '../support/gateway.js';
import { isErrorEnvelope, parseOrUndefined, rawExchange, reportFigures } from './support/probe.js';


const headerOf = (text: string, name: string): string | undefined => new RegExp(`\\r\\n${name}:\\s*([^\\r]*)`, 'i').exec(text.slice(0, text.indexOf('\r\n\r\n')))?.[1];

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Raw HTTP the review found answered with a 5xx or routed wrongly: routing
 * must come from the request target alone, odd but legal requests get a 4xx
 * envelope, and a crafted /spend/logs cursor is a 400, never a DynamoDB error.
 */
describe('raw request targets, methods, Host headers and cursors', () => {
  let gateway: LocalGateway;
  let port: number;
  let key: string;
  const figures = { requests: 0, serverErrors: 0 };

  beforeAll(async () => {
    gateway = await startTestGateway('models:\n  - name: echo\n    provider: echo\n');
    port = Number(new URL(gateway.url).port);
    key = await generateKey(gateway);
  });
  afterAll(async () => {
    reportFigures('raw targets', figures);
    await gateway?.close();
  });

  const send = async (request: string) => {
    figures.requests += 1;
    const answer = await rawExchange(port, request);
    if (answer.status >= 500) figures.serverErrors += 1;
    return { ...answer, json: parseOrUndefined(answer.body) };
  };

  it('routes by the request target, never by a Host header that holds a path', async () => {
    const answer = await send(`GET /v1/models HTTP/1.1\r\nHost: x/key/list\r\nAuthorization: Bearer ${key}\r\nConnection: close\r\n\r\n`);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ object: 'list', data: [expect.objectContaining({ id: 'echo' })] });

    const withMaster = await send(`GET /v1/models HTTP/1.1\r\nHost: localhost/key/list?x=\r\nAuthorization: Bearer ${masterKey}\r\nConnection: close\r\n\r\n`);
    expect(withMaster.json).not.toMatchObject({ keys: expect.anything() });
  });

  it('answers TRACE on every route with 405, its Allow header and the envelope; TRACK and CONNECT with a 4xx', async () => {
    for (const route of routes) {
      const path = route.path.replace(/\{[^}]+\}/g, 'x');
      const answer = await send(`TRACE ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      expect(answer.status, `TRACE ${path}`).toBe(405);
      expect(headerOf(answer.text, 'allow'), `TRACE ${path}`).toContain(route.method);
      expect(isErrorEnvelope(answer.json), answer.text).toBe(true);
    }
    // Node's HTTP parser refuses TRACK itself (400) and CONNECT is a tunnel request; both are answered, neither is a 5xx.
    for (const request of ['TRACK /v1/models HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n', 'CONNECT localhost:443 HTTP/1.1\r\nHost: localhost:443\r\nConnection: close\r\n\r\n']) {
      const answer = await send(request);
      expect(answer.status, request).toBeGreaterThanOrEqual(400);
      expect(answer.status, request).toBeLessThan(500);
    }
  });

  it('serves absolute-form targets by their path, and answers asterisk and odd targets with 404', async () => {
    const absolute = await send(`GET http://evil.example/v1/models HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer ${key}\r\nConnection: close\r\n\r\n`);
    expect(absolute.status).toBe(200);
    expect(absolute.json).toMatchObject({ object: 'list' });
    for (const target of ['*', 'ftp://x/health', 'localhost:80', '%zz']) {
      for (const method of ['GET', 'OPTIONS']) {
        const answer = await send(`${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
        expect(answer.status, `${method} ${target} → ${answer.text.slice(0, 120)}`).toBeGreaterThanOrEqual(400);
        expect(answer.status, `${method} ${target}`).toBeLessThan(500);
        expect(isErrorEnvelope(answer.json), answer.text).toBe(true);
      }
    }
  });

  it('answers requests with odd Host headers as if the Host were any other header', async () => {
    for (const host of ['[::1', 'a b', '@evil', 'localhost:99999', 'user:pass@host', '..', 'x'.repeat(2_000), '', 'ünï.example']) {
      const answer = await send(`GET /health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      expect(answer.status, `Host: ${host.slice(0, 20)} → ${answer.text.slice(0, 120)}`).toBeLessThan(500);
      if (answer.status >= 400) expect(isErrorEnvelope(answer.json), answer.text).toBe(true);
    }
  });

  it('answers crafted /spend/logs cursors with 400 invalid_cursor', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const crafted = [
      '!!!',
      'eyJ',
      cursorOf([1, 2]),
      cursorOf({ after: { x: 1 } }),
      cursorOf({ after: { request_id: 'a', created_at: `${today}T00:00:00.000Z`, day: '1999-01-01' }, day: today }),
      cursorOf({ after: { request_id: 'a', created_at: `${today}T00:00:00.000Z`, day: today, extra: 'x' }, day: today }),
      cursorOf({ day: 'yesterday' }),
      cursorOf({ after: { request_id: 'a', created_at: `${today}T00:00:00.000Z`, key_id: 'someone-else' } }),
    ];
    for (const [index, cursor] of crafted.entries()) {
      const query = index === crafted.length - 1 ? `key=${'a'.repeat(64)}&cursor=${cursor}` : `cursor=${encodeURIComponent(cursor)}`;
      const answer = await send(`GET /spend/logs?${query} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${masterKey}\r\nConnection: close\r\n\r\n`);
      expect(answer.status, `${cursor} → ${answer.text.slice(0, 200)}`).toBe(400);
      expect(answer.json).toMatchObject({ error: { code: 'invalid_cursor', param: 'cursor' } });
    }
  });
});

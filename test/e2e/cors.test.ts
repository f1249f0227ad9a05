import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { generateKey, startTestGateway } from '../support/gateway.js';

describe('CORS from settings.cors_origins', () => {
  let gateway: LocalGateway;
  let key: string;

  beforeAll(async () => {
    gateway = await startTestGateway('models:\n  - name: echo\n    provider: echo\nsettings:\n  cors_origins: ["https://app.example.com"]\n');
    key = await generateKey(gateway);
  });
  afterAll(() => gateway?.close());

  it('answers a preflight from an allowed origin with the grant', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(response.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('grants nothing to other origins', async () => {
    const preflight = await fetch(`${gateway.url}/v1/models`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const call = await fetch(`${gateway.url}/v1/models`, { headers: { origin: 'https://evil.example.com', authorization: `Bearer ${key}` } });
    expect(call.status).toBe(200);
    expect(call.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets an allowed origin read responses and Tollway headers, errors included', async () => {
    const ok = await fetch(`${gateway.url}/v1/models`, { headers: { origin: 'https://app.example.com', authorization: `Bearer ${key}` } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(ok.headers.get('access-control-expose-headers')).toContain('x-request-id');
    const denied = await fetch(`${gateway.url}/v1/models`, { headers: { origin: 'https://app.example.com' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('answers 404 to a preflight on an unknown path', async () => {
    const response = await fetch(`${gateway.url}/nowhere`, { method: 'OPTIONS', headers: { origin: 'https://app.example.com' } });
    expect(response.status).toBe(404);
  });
});

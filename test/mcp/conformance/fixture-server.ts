import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createMcpHandler,
  createRequestStateCodec,
  hostHeaderValidationResponse,
  isLegacyRequest,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
} from '@modelcontextprotocol/server';
import { toWebRequest, writeWebResponse } from '../../../functions/http/node-adapter.js';
import type { FixtureRequestState } from './fixture-input-required-tools.js';
import { LegacySessions } from './fixture-legacy-sessions.js';
import { createConformanceMcpServer, type ConformanceFixtureShared } from './fixture-mcp-server.js';

export interface ConformanceServer {
  /** The MCP endpoint, `http://127.0.0.1:<port>/mcp`. */
  url: string;
  stop(): Promise<void>;
}

export interface ConformanceServerOptions {
  /** Called with errors the SDK reports out of band (rejected requests, handler failures); silent by default. */
  onError?: (error: Error) => void;
}

/**
 * The conformance suite's server fixture, built with the MCP SDK v2 and
 * served over real HTTP on 127.0.0.1 (a free port): 2026-07-28 requests go
 * to `createMcpHandler` (stateless, per-request `_meta` envelope,
 * server/discover, input-required results, subscriptions/listen), 2025-era
 * requests to sessionful Streamable HTTP; Host and Origin are checked first
 * (DNS rebinding protection).
 */
export const startConformanceServer = async (options: ConformanceServerOptions = {}): Promise<ConformanceServer> => {
  const onError = options.onError ?? (() => undefined);
  const shared: ConformanceFixtureShared = {
    // One process serves every round of a flow, so a per-process random key is enough.
    requestStateCodec: createRequestStateCodec<FixtureRequestState>({ key: crypto.getRandomValues(new Uint8Array(32)) }),
    // Tools only call it while a request is being served, by when the handler below exists.
    notifier: () => modern.notify,
    subscriptions: new Set(),
  };
  const modern = createMcpHandler(() => createConformanceMcpServer(shared), { legacy: 'reject', onerror: onError });
  const legacy = new LegacySessions(() => createConformanceMcpServer(shared));
  const allowedHostnames = localhostAllowedHostnames();
  const allowedOrigins = localhostAllowedOrigins();

  const handle = async (request: Request): Promise<Response> => {
    const rejected = hostHeaderValidationResponse(request, allowedHostnames) ?? originValidationResponse(request, allowedOrigins);
    if (rejected) return rejected;
    if (new URL(request.url).pathname !== '/mcp') return new Response('Not found', { status: 404 });
    return (await isLegacyRequest(request)) ? legacy.handle(request) : modern.fetch(request);
  };

  const http = createServer(async (incoming, outgoing) => {
    const disconnected = new AbortController();
    outgoing.once('close', () => disconnected.abort());
    try {
      await writeWebResponse(await handle(await toWebRequest(incoming, disconnected.signal)), outgoing);
    } catch (error) {
      onError(error instanceof Error ? error : new Error(String(error)));
      if (outgoing.headersSent) outgoing.destroy();
      else outgoing.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }));
    }
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/mcp`,
    stop: async () => {
      await Promise.all([modern.close(), legacy.closeAll()]);
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
};

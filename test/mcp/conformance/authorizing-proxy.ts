import { createServer, request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AuthorizingProxy {
  /** `http://127.0.0.1:<port>`: the target's paths, served here. */
  url: string;
  stop(): Promise<void>;
}

/** Headers that describe one hop's connection, not the message (RFC 9110 §7.6.1); Node sets its own. */
const hopByHopHeaders = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

const endToEndHeaders = (headers: IncomingHttpHeaders): OutgoingHttpHeaders =>
  Object.fromEntries(Object.entries(headers).filter(([name, value]) => value !== undefined && !hopByHopHeaders.has(name)));

/**
 * A local HTTP proxy in front of the gateway that adds `Authorization: Bearer
 * <key>` to every request, for clients that cannot send headers (the
 * conformance CLI). Method, path, query, body and every other header go on
 * as the client sent them, Host and Origin included, so the gateway sees
 * what the client sent; the answer (event streams too) streams back as it
 * arrives, and a client that goes away aborts the forwarded request.
 */
export const startAuthorizingProxy = async (targetOrigin: string, apiKey: string): Promise<AuthorizingProxy> => {
  const target = new URL(targetOrigin);
  const server = createServer((incoming, outgoing) => {
    const forwarded = httpRequest(
      {
        hostname: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...endToEndHeaders(incoming.headers), authorization: `Bearer ${apiKey}` },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, endToEndHeaders(answer.headers));
        outgoing.flushHeaders();
        answer.pipe(outgoing);
        answer.once('error', () => outgoing.destroy());
      },
    );
    forwarded.once('error', () => {
      if (outgoing.headersSent) outgoing.destroy();
      else outgoing.writeHead(502, { 'content-type': 'text/plain' }).end('The gateway could not be reached.');
    });
    outgoing.once('close', () => {
      if (!outgoing.writableFinished) forwarded.destroy();
    });
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

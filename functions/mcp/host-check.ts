import { jsonRpcErrorResponse } from './json-rpc-answers.js';
import { JsonRpcError } from './upstream-errors.js';

/** What an MCP endpoint on a loopback address answers to: any port on these names. */
export const loopbackHostnames: readonly string[] = ['localhost', '127.0.0.1', '[::1]', '::1'];

export interface HostCheck {
  /** Host names (without port) the endpoint answers to. */
  hostnames: readonly string[];
  /** Origins (scheme, host and port) allowed beside those on the same host names: the configured CORS origins. */
  origins: readonly string[];
}

/**
 * DNS rebinding protection for an endpoint that listens on a loopback
 * address (the local server): a request whose Host, or whose Origin when it
 * sends one, names another host is refused with 403 before anything else,
 * as the MCP transport's security warning asks. A deployed gateway is
 * reached by its API's own names and is not checked.
 */
export const rebindingRefusal = (request: Request, check: HostCheck | undefined): Response | undefined => {
  if (!check) return undefined;
  const host = request.headers.get('host');
  if (host === null || !check.hostnames.includes(hostnameOf(`http://${host}`) ?? '')) return refused(`Host "${host ?? ''}" is not allowed.`);
  const origin = request.headers.get('origin');
  if (origin === null || check.origins.includes(origin)) return undefined;
  if (!check.hostnames.includes(hostnameOf(origin) ?? '')) return refused(`Origin "${origin}" is not allowed.`);
  return undefined;
};

const hostnameOf = (url: string): string | undefined => {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
};

const refused = (message: string) => jsonRpcErrorResponse(403, null, new JsonRpcError(-32000, message, { code: 'host_not_allowed' }));

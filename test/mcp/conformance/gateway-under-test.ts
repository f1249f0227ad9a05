import type { LocalGateway } from '../../../functions/local/local-gateway.js';
import { generateKey, startTestGateway } from '../../support/gateway.js';
import { startAuthorizingProxy, type AuthorizingProxy } from './authorizing-proxy.js';
import { startConformanceServer, type ConformanceServer } from './fixture-server.js';

/** The name the fixture is configured under, so `/mcp/fixture` is its pass-through endpoint. */
export const fixtureServerName = 'fixture';

export interface GatewayUnderTest {
  /** The fixture's own endpoint, for direct runs. */
  directUrl: string;
  /** The fixture through an authorizing proxy alone, no gateway: what shows the proxy changes nothing. */
  proxiedDirectUrl: string;
  /** `POST /mcp/fixture` through the proxy: the fixture passed through the gateway. */
  passThroughUrl: string;
  /** `POST /mcp` through the proxy: the gateway's federated endpoint. */
  federatedUrl: string;
  stop(): Promise<void>;
}

/**
 * The conformance fixture behind the local gateway (configured as the one
 * MCP server `fixture`, beside an echo model), and an authorizing proxy in
 * front of the gateway holding a fresh virtual key, since the conformance
 * CLI cannot send an Authorization header itself; and a second proxy in
 * front of the fixture alone.
 */
export const startGatewayUnderTest = async (): Promise<GatewayUnderTest> => {
  let fixture: ConformanceServer | undefined;
  let gateway: LocalGateway | undefined;
  let proxy: AuthorizingProxy | undefined;
  let fixtureProxy: AuthorizingProxy | undefined;
  const stop = async () => {
    await fixtureProxy?.stop();
    await proxy?.stop();
    await gateway?.close();
    await fixture?.stop();
  };
  try {
    fixture = await startConformanceServer();
    gateway = await startTestGateway(`models:\n  - name: echo\n    provider: echo\nmcp_servers:\n  - name: ${fixtureServerName}\n    url: ${fixture.url}\n`);
    proxy = await startAuthorizingProxy(gateway.url, await generateKey(gateway));
    fixtureProxy = await startAuthorizingProxy(new URL(fixture.url).origin, 'sk-unused-by-the-fixture');
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    directUrl: fixture.url,
    proxiedDirectUrl: `${fixtureProxy.url}${new URL(fixture.url).pathname}`,
    passThroughUrl: `${proxy.url}/mcp/${fixtureServerName}`,
    federatedUrl: `${proxy.url}/mcp`,
    stop,
  };
};

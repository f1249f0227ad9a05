import { fileURLToPath } from 'node:url';
import { createGateway } from '../core/gateway.js';
import type { Gateway } from '../core/gateway-types.js';
import { createMcpService } from '../mcp/index.js';
import { createModelCatalog } from '../providers/model-catalog.js';
import { coreDependenciesOf, mcpServiceOptionsOf, runtimePartsOf } from './runtime-parts.js';
import { knowledgeServiceOf } from './knowledge-part.js';
import { bedrockRuntimeClients } from './aws/bedrock-clients.js';
import type { RuntimeOptions } from './runtime-options.js';

export type { RuntimeOptions } from './runtime-options.js';

/** Where `npm run build:console` writes the web console (git-ignored); the local server serves it at `/ui`. */
export const consoleBuildFolder = fileURLToPath(new URL('../../console/dist', import.meta.url));

/**
 * The composition root: wires providers, MCP, knowledge bases and the
 * DynamoDB stores into the gateway core, every part built at once. The local
 * server and the tests call it; each Lambda function composes only its own
 * parts (`chat-runtime.ts`, `mcp-runtime.ts`, `retrieve-runtime.ts`, `admin-runtime.ts`).
 */
export const createGatewayRuntime = (options: RuntimeOptions): Gateway => {
  const parts = runtimePartsOf(options);
  const knowledge = knowledgeServiceOf(options, parts);
  return createGateway({
    ...coreDependenciesOf({ consoleFolder: consoleBuildFolder, ...options }, parts, options.functionName),
    catalog: createModelCatalog(options.config, { resolveSecret: parts.resolveSecret, fetch: options.fetch, bedrockClient: bedrockRuntimeClients(options.aws) }),
    knowledge,
    mcp: createMcpService(mcpServiceOptionsOf(options, parts, knowledge)),
  });
};

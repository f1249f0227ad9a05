import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { AnyObjectSchema, SchemaOutput } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Notification, Request, Result, ServerNotification, ServerRequest, ServerResult } from '@modelcontextprotocol/sdk/types.js';
import { withInvalidParamsError } from './invalid-params.js';

/**
 * The SDK's MCP `Server`, but a request whose params do not fit its method's
 * schema is answered with JSON-RPC -32602 naming the field, as JSON-RPC and
 * the MCP spec ask. The SDK itself answers -32603 with the zod issues as the
 * message (modelcontextprotocol/typescript-sdk#2284). Every handler goes
 * through here, the SDK's own (initialize, ping) included.
 */
export class GatewayServer extends Server {
  override setRequestHandler<T extends AnyObjectSchema>(
    requestSchema: T,
    handler: (
      request: SchemaOutput<T>,
      extra: RequestHandlerExtra<ServerRequest | Request, ServerNotification | Notification>,
    ) => ServerResult | Result | Promise<ServerResult | Result>,
  ): void {
    super.setRequestHandler(withInvalidParamsError(requestSchema), handler);
  }
}

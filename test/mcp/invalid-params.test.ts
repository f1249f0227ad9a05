import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { GatewayServer } from '../../functions/mcp/gateway-server.js';
import { withInvalidParamsError } from '../../functions/mcp/invalid-params.js';

/** The message of the JSON-RPC error a parse of `request` throws. */
const parseError = (schema: z.ZodType, request: unknown) => {
  try {
    schema.parse(request);
  } catch (error) {
    return { code: (error as { code?: unknown }).code, message: (error as Error).message };
  }
  throw new Error('The request parsed.');
};

/** A GatewayServer on one end of an in-memory pair; `send` answers the JSON-RPC reply to one raw message. */
const linkedServer = async (setUp: (server: GatewayServer) => void) => {
  const server = new GatewayServer({ name: 'test', version: '1' }, { capabilities: { tools: {} } });
  setUp(server);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await clientSide.start();
  const send = (message: JSONRPCMessage) =>
    new Promise<JSONRPCMessage>((resolve) => {
      clientSide.onmessage = resolve;
      void clientSide.send(message);
    });
  return { send, close: () => server.close() };
};

describe('withInvalidParamsError', () => {
  it('parses valid params exactly as the schema it wraps', () => {
    const request = { method: 'tools/call', params: { name: 'echo', arguments: { message: 'hi' }, extra: true } };
    const listRequest = { method: 'tools/list' };

    expect(withInvalidParamsError(CallToolRequestSchema).parse(request)).toEqual(CallToolRequestSchema.parse(request));
    expect(withInvalidParamsError(ListToolsRequestSchema).parse(listRequest)).toEqual({ method: 'tools/list' });
  });

  it('throws JSON-RPC -32602 naming every bad field', () => {
    const error = parseError(withInvalidParamsError(CallToolRequestSchema), { method: 'tools/call', params: { name: 7, arguments: 'x' } });

    expect(error).toEqual({ code: -32602, message: 'Invalid params for tools/call: "name" must be a string; "arguments" must be an object.' });
  });

  it('names nested fields, unions of types, integers and keys that are not allowed', () => {
    const schema = withInvalidParamsError(
      z.object({
        method: z.literal('test/method'),
        params: z.strictObject({
          _meta: z.object({ progressToken: z.union([z.string(), z.number()]) }).optional(),
          messages: z.array(z.object({ role: z.enum(['user', 'assistant']) })),
          count: z.int().optional(),
        }),
      }),
    );

    const error = parseError(schema, {
      method: 'test/method',
      params: { _meta: { progressToken: {} }, messages: [{ role: 'robot' }], count: 1.5, colour: 'red' },
    });

    expect(error.code).toBe(-32602);
    expect(error.message).toBe(
      'Invalid params for test/method: "_meta.progressToken" must be a string or a number; ' +
        '"messages[0].role" must be one of "user", "assistant"; "count" must be an integer; "colour" is not allowed.',
    );
  });

  it('leaves a schema without a method literal or params as it is', () => {
    const noParams = z.object({ method: z.literal('ping') });
    const noLiteral = z.object({ method: z.string(), params: z.object({}) });

    expect(withInvalidParamsError(noParams)).toBe(noParams);
    expect(withInvalidParamsError(noLiteral)).toBe(noLiteral);
  });
});

describe('GatewayServer', () => {
  it('answers malformed params of its own handlers and of the SDK built-ins with -32602', async () => {
    const { send, close } = await linkedServer((server) => server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [] })));

    const list = await send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { cursor: ['a'] } });
    const initialize = await send({
      jsonrpc: '2.0',
      id: 2,
      method: 'initialize',
      params: { capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    });

    expect(list).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'Invalid params for tools/list: "cursor" must be a string.' } });
    expect(initialize).toEqual({
      jsonrpc: '2.0',
      id: 2,
      error: { code: -32602, message: 'Invalid params for initialize: "protocolVersion" is required.' },
    });
    await close();
  });

  it('keeps -32603 for a handler that fails on valid params', async () => {
    const { send, close } = await linkedServer((server) =>
      server.setRequestHandler(CallToolRequestSchema, () => {
        throw new Error('store unreachable');
      }),
    );

    const call = await send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: {} } });

    expect(call).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'store unreachable' } });
    await close();
  });
});

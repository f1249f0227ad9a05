import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { startEverythingServer, type EverythingServer } from '../support/everything-server.js';
import { generateKey } from '../support/gateway.js';
import { connectMcp, firstText, startMcpGateway } from './mcp-fixtures.js';

describe('MCP endpoints in front of server-everything', () => {
  let everything: EverythingServer;
  let gateway: LocalGateway;
  let key: string;
  let federated: Client;
  let perServer: Client;

  /** A raw JSON-RPC request, as a client that does not check its params would send it; answers the JSON-RPC error. */
  const rawRequestError = async (path: string, method: string, params: unknown) => {
    const response = await fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method, params }),
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ jsonrpc: '2.0', id: 9 });
    return body.error as { code: number; message: string };
  };

  beforeAll(async () => {
    everything = await startEverythingServer();
    gateway = await startMcpGateway([{ name: 'everything', url: everything.url }]);
    key = await generateKey(gateway, { key_alias: 'mcp-endpoints' });
    federated = await connectMcp(gateway, '/mcp', key);
    perServer = await connectMcp(gateway, '/mcp/everything', key);
  });

  afterAll(async () => {
    await federated?.close();
    await perServer?.close();
    await gateway?.close();
    await everything?.stop();
  });

  describe('POST /mcp (federated)', () => {
    it('introduces itself as tollway with tools only', () => {
      expect(federated.getServerVersion()?.name).toBe('tollway');
      expect(federated.getServerCapabilities()).toEqual({ tools: {} });
    });

    it('lists the upstream tools under prefixed names, schemas and annotations intact', async () => {
      const { tools } = await federated.listTools();

      const names = tools.map((tool) => tool.name);
      expect(names).toEqual(expect.arrayContaining(['everything__echo', 'everything__get-sum', 'everything__get-tiny-image']));
      expect(names.every((name) => name.startsWith('everything__') && name.length <= 64)).toBe(true);
      const sum = tools.find((tool) => tool.name === 'everything__get-sum');
      expect(sum?.description).toBe('Returns the sum of two numbers');
      expect(sum?.inputSchema).toMatchObject({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } });
      expect(sum?.annotations).toMatchObject({ readOnlyHint: true });
    });

    it('calls everything__echo and everything__get-sum on the upstream', async () => {
      const echo = await federated.callTool({ name: 'everything__echo', arguments: { message: 'hello tollway' } });
      const sum = await federated.callTool({ name: 'everything__get-sum', arguments: { a: 2, b: 3 } });

      expect(firstText(echo)).toBe('Echo: hello tollway');
      expect(sum.isError).toBeFalsy();
      expect(firstText(sum)).toBe('The sum of 2 and 3 is 5.');
    });

    it('answers a name no server has with a JSON-RPC invalid-params error', async () => {
      await expect(federated.callTool({ name: 'everything__no-such-tool', arguments: {} })).rejects.toMatchObject({
        code: -32602,
        data: { code: 'tool_not_found' },
      });
      await expect(federated.callTool({ name: 'nowhere__echo', arguments: {} })).rejects.toMatchObject({ code: -32602 });
    });

    it('answers ping', async () => {
      await expect(federated.ping()).resolves.toEqual({});
    });

    it('answers malformed params with a JSON-RPC invalid-params error naming the field', async () => {
      const noName = await rawRequestError('/mcp', 'tools/call', { arguments: { message: 'hi' } });
      const listArguments = await rawRequestError('/mcp', 'tools/call', { name: 'everything__echo', arguments: ['hi'] });
      const numberCursor = await rawRequestError('/mcp', 'tools/list', { cursor: 5 });
      const noParams = await rawRequestError('/mcp', 'tools/call', undefined);

      expect(noName).toEqual({ code: -32602, message: 'Invalid params for tools/call: "name" is required.' });
      expect(listArguments).toEqual({ code: -32602, message: 'Invalid params for tools/call: "arguments" must be an object.' });
      expect(numberCursor).toEqual({ code: -32602, message: 'Invalid params for tools/list: "cursor" must be a string.' });
      expect(noParams).toEqual({ code: -32602, message: 'Invalid params for tools/call: "params" is required.' });
    });
  });

  describe('POST /mcp/{server} (pass-through)', () => {
    it('advertises the capability families of the upstream, and its name', () => {
      expect(perServer.getServerVersion()?.name).toBe('mcp-servers/everything');
      expect(perServer.getServerCapabilities()).toMatchObject({ tools: {}, resources: {}, prompts: {}, logging: {}, completions: {} });
      expect(perServer.getInstructions()).toBeTruthy();
    });

    it('lists tools unprefixed and calls them', async () => {
      const { tools } = await perServer.listTools();
      const sum = await perServer.callTool({ name: 'get-sum', arguments: { a: 40, b: 2 } });

      expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'get-sum']));
      expect(tools.some((tool) => tool.name.includes('__'))).toBe(false);
      expect(firstText(sum)).toBe('The sum of 40 and 2 is 42.');
    });

    it('lists and reads resources and resource templates', async () => {
      const { resources } = await perServer.listResources();
      const { resourceTemplates } = await perServer.listResourceTemplates();
      const first = resources[0];
      const read = await perServer.readResource({ uri: first.uri });
      const dynamic = await perServer.readResource({ uri: 'demo://resource/dynamic/text/7' });

      expect(first.uri).toMatch(/^demo:\/\/resource\/static\/document\//);
      expect(read.contents[0]).toMatchObject({ uri: first.uri, mimeType: first.mimeType });
      expect(resourceTemplates.map((template) => template.uriTemplate)).toEqual(
        expect.arrayContaining(['demo://resource/dynamic/text/{resourceId}', 'demo://resource/dynamic/blob/{resourceId}']),
      );
      expect(dynamic.contents[0]).toMatchObject({ uri: 'demo://resource/dynamic/text/7', text: expect.stringContaining('Resource 7') });
    });

    it('lists prompts and gets one with arguments', async () => {
      const { prompts } = await perServer.listPrompts();
      const prompt = await perServer.getPrompt({ name: 'args-prompt', arguments: { city: 'Lisbon', state: 'Lisboa' } });

      expect(prompts.map((entry) => entry.name)).toEqual(expect.arrayContaining(['simple-prompt', 'args-prompt']));
      expect(prompt.messages[0]).toEqual({ role: 'user', content: { type: 'text', text: "What's weather in Lisbon, Lisboa?" } });
    });

    it('passes image and embedded resource content through unchanged', async () => {
      const image = await perServer.callTool({ name: 'get-tiny-image', arguments: {} });
      const reference = await perServer.callTool({ name: 'get-resource-reference', arguments: { resourceType: 'Text', resourceId: 3 } });

      expect(image.content).toContainEqual({ type: 'image', mimeType: 'image/png', data: expect.stringMatching(/^iVBORw0KGgo/) });
      expect(reference.content).toContainEqual({
        type: 'resource',
        resource: { uri: 'demo://resource/dynamic/text/3', mimeType: 'text/plain', text: expect.stringContaining('Resource 3') },
      });
    });

    it('passes isError tool results through', async () => {
      const result = await perServer.callTool({ name: 'get-sum', arguments: { a: 'two', b: 3 } });

      expect(result.isError).toBe(true);
      expect(firstText(result)).toBeTruthy();
    });

    it('passes completion and logging level through', async () => {
      const completion = await perServer.complete({
        ref: { type: 'ref/resource', uri: 'demo://resource/dynamic/text/{resourceId}' },
        argument: { name: 'resourceId', value: '12' },
      });

      expect(completion.completion.values).toEqual(['12']);
      await expect(perServer.setLoggingLevel('warning')).resolves.toEqual({});
    });

    it('answers malformed params itself with a JSON-RPC invalid-params error naming the field', async () => {
      const noName = await rawRequestError('/mcp/everything', 'tools/call', { arguments: {} });
      const stringArguments = await rawRequestError('/mcp/everything', 'tools/call', { name: 'echo', arguments: 'hi' });
      const numberCursor = await rawRequestError('/mcp/everything', 'tools/list', { cursor: 5 });
      const noUri = await rawRequestError('/mcp/everything', 'resources/read', {});
      const loudLevel = await rawRequestError('/mcp/everything', 'logging/setLevel', { level: 'loud' });
      const unknownRef = await rawRequestError('/mcp/everything', 'completion/complete', {
        ref: { type: 'ref/tool' },
        argument: { name: 'a', value: '' },
      });

      expect(noName).toEqual({ code: -32602, message: 'Invalid params for tools/call: "name" is required.' });
      expect(stringArguments).toEqual({ code: -32602, message: 'Invalid params for tools/call: "arguments" must be an object.' });
      expect(numberCursor).toEqual({ code: -32602, message: 'Invalid params for tools/list: "cursor" must be a string.' });
      expect(noUri).toEqual({ code: -32602, message: 'Invalid params for resources/read: "uri" is required.' });
      expect(loudLevel).toEqual({
        code: -32602,
        message: 'Invalid params for logging/setLevel: "level" must be one of "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency".',
      });
      expect(unknownRef).toEqual({ code: -32602, message: 'Invalid params for completion/complete: "ref" is not valid.' });
    });

    it('passes the upstream JSON-RPC errors through', async () => {
      await expect(perServer.readResource({ uri: 'demo://resource/nowhere' })).rejects.toMatchObject({ code: expect.any(Number) });
      await expect(perServer.getPrompt({ name: 'no-such-prompt' })).rejects.toMatchObject({ code: -32602 });
    });
  });

  it('opens a new upstream session on /mcp when server-everything restarts; on /mcp/{server} the client’s session ends with 404 and a new one works', { timeout: 20_000 }, async () => {
    await everything.stop();
    everything = await startEverythingServer(Number(new URL(everything.url).port));

    const sum = await federated.callTool({ name: 'everything__get-sum', arguments: { a: 20, b: 22 } });
    // The pass-through relays the client's own session, which the restarted upstream forgot (it answers 400; the spec's word is 404).
    const lost = await fetch(`${gateway.url}/mcp/everything`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': perServer.transport?.sessionId ?? 'gone' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
    });
    expect(lost.status).toBe(404);
    await perServer.close().catch(() => undefined);
    perServer = await connectMcp(gateway, '/mcp/everything', key);
    const echo = await perServer.callTool({ name: 'echo', arguments: { message: 'back again' } });

    expect(firstText(sum)).toBe('The sum of 20 and 22 is 42.');
    expect(firstText(echo)).toBe('Echo: back again');
  });
});

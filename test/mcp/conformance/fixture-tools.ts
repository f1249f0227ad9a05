import { fromJsonSchema, inputRequired, type CallToolResult, type InputRequiredResult, type McpServer, type ServerNotifier } from '@modelcontextprotocol/server';
import { z } from 'zod';
import {
  embeddedResourceText,
  notificationGapMs,
  simpleText,
  sleep,
  testAudioBase64,
  testImageBase64,
  toolErrorText,
} from './fixture-content.js';

const textResult = (text: string): CallToolResult => ({ content: [{ type: 'text', text }] });

const noArguments = z.object({});

/** The content tools (`tools-call-*`): one per content type, an error, logging and progress. */
export const registerContentTools = (server: McpServer): void => {
  server.registerTool('test_simple_text', { description: 'Returns one text block' }, async () => textResult(simpleText));

  server.registerTool('test_image_content', { description: 'Returns one PNG image block' }, async () => ({
    content: [{ type: 'image', data: testImageBase64, mimeType: 'image/png' }],
  }));

  server.registerTool('test_audio_content', { description: 'Returns one WAV audio block' }, async () => ({
    content: [{ type: 'audio', data: testAudioBase64, mimeType: 'audio/wav' }],
  }));

  server.registerTool('test_embedded_resource', { description: 'Returns one embedded text resource' }, async () => ({
    content: [{ type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: embeddedResourceText } }],
  }));

  server.registerTool('test_multiple_content_types', { description: 'Returns text, an image and an embedded resource' }, async () => ({
    content: [
      { type: 'text', text: 'Multiple content types test:' },
      { type: 'image', data: testImageBase64, mimeType: 'image/png' },
      {
        type: 'resource',
        resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: JSON.stringify({ test: 'data', value: 123 }) },
      },
    ],
  }));

  // A thrown error is what the SDK turns into an `isError: true` result with the message as text.
  server.registerTool('test_error_handling', { description: 'Always fails' }, async () => {
    throw new Error(toolErrorText);
  });

  server.registerTool('test_tool_with_logging', { description: 'Logs three info messages while it runs', inputSchema: noArguments }, async (_args, context) => {
    for (const [index, message] of ['Tool execution started', 'Tool processing data', 'Tool execution completed'].entries()) {
      if (index > 0) await sleep(notificationGapMs);
      // The request-scoped logger honours logging/setLevel (2025-11-25) and `_meta.logLevel` (2026-07-28).
      await context.mcpReq.log('info', message, 'conformance-fixture');
    }
    return textResult('Tool with logging executed successfully');
  });

  server.registerTool('test_tool_with_progress', { description: 'Reports progress 0, 50 and 100 of 100', inputSchema: noArguments }, async (_args, context) => {
    const progressToken = context.mcpReq._meta?.progressToken;
    // Progress goes out only against a token the client sent; without one the tool just runs.
    for (const progress of [0, 50, 100]) {
      if (progressToken !== undefined) {
        await context.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress, total: 100, message: `Step ${progress} of 100` } });
      }
      if (progress < 100) await sleep(notificationGapMs);
    }
    return textResult(`Progress reported against token ${String(progressToken ?? 'none')}`);
  });

  // SEP-1699 reconnection (`server-sse-polling`): the stream is closed mid-call and the result is delivered after the client reconnects.
  server.registerTool('test_reconnection', { description: 'Closes its SSE stream mid-call, then answers', inputSchema: noArguments }, async (_args, context) => {
    context.http?.closeSSE?.();
    await sleep(100);
    return textResult('Reconnection test completed successfully.');
  });

  // SEP-1613 / SEP-2106 (`json-schema-2020-12`): the 2020-12 keywords must survive tools/list verbatim, so the schema is written as JSON.
  server.registerTool(
    'json_schema_2020_12_tool',
    {
      description: 'A tool whose input schema uses JSON Schema 2020-12 keywords',
      inputSchema: fromJsonSchema({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        $defs: { address: { $anchor: 'addressDef', type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
        properties: {
          name: { type: 'string' },
          address: { $ref: '#/$defs/address' },
          contactMethod: { type: 'string', enum: ['phone', 'email'] },
          phone: { type: 'string' },
          email: { type: 'string' },
        },
        allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
        if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
        then: { required: ['phone'] },
        else: { required: ['email'] },
        additionalProperties: false,
      }),
    },
    async (args) => textResult(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`),
  );
};

/**
 * The tools `server-stateless` (2026-07-28, SEP-2575) calls by name: one that
 * needs an undeclared client capability, one whose stream must carry no
 * request of its own, one that logs only when `_meta.logLevel` asks for it,
 * and the triggers of the `subscriptions/listen` list-changed checks.
 */
export const registerStatelessDiagnosticTools = (server: McpServer, notifier: () => ServerNotifier): void => {
  server.registerTool(
    'test_missing_capability',
    { description: 'Needs the sampling client capability', inputSchema: noArguments },
    async (_args, context): Promise<CallToolResult | InputRequiredResult> => {
      if (context.mcpReq.inputResponses?.['llm_answer'] !== undefined) return textResult('sampling round trip complete');
      return inputRequired({
        inputRequests: {
          llm_answer: inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'Reply with: pong' } }], maxTokens: 16 }),
        },
      });
    },
  );

  server.registerTool('test_streaming_elicitation', { description: 'Answers with result frames only', inputSchema: noArguments }, async () =>
    textResult('stream carried result frames only'),
  );

  server.registerTool('test_logging_tool', { description: 'Logs once through the request-scoped logger', inputSchema: noArguments }, async (_args, context) => {
    await context.mcpReq.log('info', 'test_logging_tool ran', 'conformance-fixture');
    return textResult('logged through the request-scoped channel');
  });

  server.registerTool('test_trigger_tool_change', { description: 'Publishes tools/list_changed', inputSchema: noArguments }, async () => {
    notifier().toolsChanged();
    return textResult('tools list change published');
  });

  server.registerTool('test_trigger_prompt_change', { description: 'Publishes prompts/list_changed', inputSchema: noArguments }, async () => {
    notifier().promptsChanged();
    return textResult('prompts list change published');
  });

  // SEP-2243 (`http-custom-header-server-validation`): an argument mirrored into an `Mcp-Param-Region` header.
  const mirroredRegion = { type: 'string', 'x-mcp-header': 'Region' } as const;
  server.registerTool(
    'test_x_mcp_header',
    {
      description: 'Has an argument mirrored into the Mcp-Param-Region header',
      inputSchema: fromJsonSchema<{ region?: string; level?: number }>({ type: 'object', properties: { region: mirroredRegion, level: { type: 'integer' } } }),
    },
    async (args) => textResult(`region=${args.region ?? '<none>'}`),
  );
};

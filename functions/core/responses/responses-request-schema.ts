import * as z from 'zod';
import { fileSearchTool, mcpTool } from '../chat/chat-request-schema.js';

/**
 * The OpenAI Responses request, as far as Tollway reads it. Unknown fields
 * are accepted and ignored (SDKs send many); known ones are checked. Input
 * items are checked by type in `convert-responses-input.ts`, which names the
 * item of any that cannot be read.
 */

const inputText = z.looseObject({ type: z.enum(['input_text', 'output_text']), text: z.string() });
const inputImage = z.looseObject({ type: z.literal('input_image'), image_url: z.string().nullish(), file_id: z.string().nullish(), detail: z.string().optional() });
const inputFile = z.looseObject({ type: z.literal('input_file'), file_data: z.string().nullish(), file_id: z.string().nullish(), filename: z.string().max(512).nullish() });
const refusal = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const contentPart = z.discriminatedUnion('type', [inputText, inputImage, inputFile, refusal]);

const messageItem = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(contentPart)]),
  id: z.string().optional(),
});
const functionCallItem = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string().min(1).max(512),
  name: z.string().min(1).max(256),
  arguments: z.string(),
  id: z.string().optional(),
});
const functionCallOutputItem = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1).max(512),
  output: z.union([z.string(), z.array(contentPart)]),
});
const reasoningItem = z.looseObject({
  type: z.literal('reasoning'),
  summary: z.array(z.looseObject({ type: z.string(), text: z.string() })).default([]),
  content: z.array(z.looseObject({ type: z.string(), text: z.string() })).nullish(),
  encrypted_content: z.string().nullish(),
});
/** Items the gateway produced earlier (passed back by clients that keep their own history). */
const gatewayItem = z.looseObject({ type: z.enum(['mcp_call', 'mcp_list_tools', 'file_search_call', 'mcp_approval_request', 'item_reference']) });

const inputItem = z.union([functionCallItem, functionCallOutputItem, reasoningItem, gatewayItem, messageItem]);

const functionTool = z.looseObject({
  type: z.literal('function'),
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a function name of 1 to 64 letters, digits, "_", "." or "-"'),
  description: z.string().max(10_000).nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

const responsesMcpTool = mcpTool.extend({
  /** A URL is accepted only when it is the configured server's; the gateway never calls a URL a client names. */
  server_url: z.string().optional(),
  require_approval: z.union([z.literal('never'), z.looseObject({ never: z.unknown() })]).optional(),
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), name: z.string().min(1) }),
  z.looseObject({ type: z.enum(['file_search', 'mcp']) }),
]);

const textFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    name: z.string().min(1).max(64),
    description: z.string().nullish(),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullish(),
  }),
]);

export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1).max(256),
  input: z.union([z.string(), z.array(inputItem).max(10_000)]),
  instructions: z.string().nullish(),
  tools: z.array(z.discriminatedUnion('type', [functionTool, responsesMcpTool, fileSearchTool])).max(128).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z.looseObject({ format: textFormat.nullish() }).nullish(),
  reasoning: z.looseObject({ effort: z.enum(['minimal', 'low', 'medium', 'high']).nullish(), summary: z.string().nullish() }).nullish(),
  max_output_tokens: z.number().int().positive().max(1_000_000).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  metadata: z.record(z.string().max(64), z.string().max(512)).nullish(),
  user: z.string().max(256).nullish(),
  store: z.boolean().nullish(),
  previous_response_id: z.string().min(1).max(128).nullish(),
  include: z.array(z.string()).max(32).nullish(),
  truncation: z.enum(['disabled', 'auto']).nullish(),
  stream: z.boolean().nullish(),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
export type ResponsesTool = NonNullable<ResponsesRequest['tools']>[number];
export type ResponsesInputItem = z.infer<typeof inputItem>;

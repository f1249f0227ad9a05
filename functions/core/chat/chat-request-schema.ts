import * as z from 'zod';
import { searchFilterSchema } from '../knowledge/search-request.js';

/**
 * The OpenAI Chat Completions request, as far as Tollway reads it. Unknown
 * fields are accepted and ignored (SDKs send many), known ones are checked.
 */

/** The Anthropic-style prompt-cache hint LiteLLM accepts on OpenAI-format parts, messages and tools. */
const cacheControl = z.looseObject({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() });

const textPart = z.strictObject({ type: z.literal('text'), text: z.string(), cache_control: cacheControl.nullish() });
const imagePart = z.strictObject({
  type: z.literal('image_url'),
  image_url: z.strictObject({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
  cache_control: cacheControl.nullish(),
});
const filePart = z.strictObject({
  type: z.literal('file'),
  file: z.strictObject({
    /** A data: URL (`data:application/pdf;base64,...`). */
    file_data: z.string().min(1).optional(),
    file_id: z.string().min(1).optional(),
    filename: z.string().max(512).optional(),
  }),
  cache_control: cacheControl.nullish(),
});
const unsupportedPart = z.looseObject({ type: z.enum(['input_audio', 'refusal']) });

const userContent = z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, imagePart, filePart, unsupportedPart])).min(1)]);
const textContent = z.union([z.string(), z.array(textPart)]);

const toolCall = z.looseObject({
  id: z.string().min(1).max(512),
  type: z.literal('function').default('function'),
  function: z.looseObject({ name: z.string().min(1).max(256), arguments: z.string() }),
});

export const chatMessageSchema = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content: textContent, name: z.string().optional(), cache_control: cacheControl.nullish() }),
  z.looseObject({ role: z.literal('developer'), content: textContent, name: z.string().optional(), cache_control: cacheControl.nullish() }),
  z.looseObject({ role: z.literal('user'), content: userContent, name: z.string().optional(), cache_control: cacheControl.nullish() }),
  z.looseObject({
    role: z.literal('assistant'),
    content: z.union([textContent, z.array(z.union([textPart, z.looseObject({ type: z.literal('refusal'), refusal: z.string() })]))]).nullish(),
    tool_calls: z.array(toolCall).max(128).nullish(),
    reasoning_content: z.string().nullish(),
    refusal: z.string().nullish(),
    name: z.string().optional(),
    cache_control: cacheControl.nullish(),
  }),
  z.looseObject({ role: z.literal('tool'), tool_call_id: z.string().min(1).max(512), content: textContent, cache_control: cacheControl.nullish() }),
]);

const functionTool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a function name of 1 to 64 letters, digits, "_", "." or "-"'),
    description: z.string().max(10_000).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
  cache_control: cacheControl.nullish(),
});

/** Tollway extension: tools of a configured MCP server, executed by the gateway. */
export const mcpTool = z.looseObject({
  type: z.literal('mcp'),
  server_label: z.string().min(1).max(64),
  allowed_tools: z.union([z.array(z.string().min(1).max(128)).max(500), z.looseObject({ tool_names: z.array(z.string().min(1).max(128)).max(500) })]).nullish(),
  require_approval: z.union([z.literal('never'), z.unknown()]).optional(),
  /** `skip`: leave this server's tools out when it is down, instead of failing the request with a 502 naming it. */
  on_unavailable: z.enum(['fail', 'skip']).optional(),
  /** Upstreams come only from the config: a client-supplied URL is refused. */
  server_url: z.undefined({ error: 'MCP servers come from the gateway config; server_url is not accepted' }).optional(),
});

/** Tollway extension: retrieval from knowledge bases, injected as context. */
export const fileSearchTool = z.looseObject({
  type: z.literal('file_search'),
  vector_store_ids: z.array(z.string().min(1).max(64)).min(1).max(16),
  max_num_results: z.number().int().min(1).max(50).nullish(),
  filters: searchFilterSchema.nullish(),
  ranking_options: z.looseObject({ score_threshold: z.number().min(0).max(1).nullish() }).nullish(),
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string().min(1) }) }),
]);

const responseFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({
      name: z.string().min(1).max(64),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

const tokenCount = z.number().int().positive().max(1_000_000);

export const chatRequestSchema = z.looseObject({
  model: z.string().min(1).max(256),
  messages: z.array(chatMessageSchema).min(1).max(10_000),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: tokenCount.nullish(),
  max_completion_tokens: tokenCount.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  n: z.literal(1, 'only n=1 is supported').nullish(),
  tools: z.array(z.discriminatedUnion('type', [functionTool, mcpTool, fileSearchTool])).max(128).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: responseFormat.nullish(),
  reasoning_effort: z.enum(['minimal', 'low', 'medium', 'high']).nullish(),
  user: z.string().max(256).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type ChatTool = NonNullable<ChatRequest['tools']>[number];
export type FunctionTool = Extract<ChatTool, { type: 'function' }>;
export type McpChatTool = Extract<ChatTool, { type: 'mcp' }>;
export type FileSearchTool = Extract<ChatTool, { type: 'file_search' }>;
export type ChatMessage = z.infer<typeof chatMessageSchema>;

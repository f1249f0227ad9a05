import * as z from 'zod';

/**
 * The Anthropic Messages request, as far as Tollway reads it. Unknown
 * top-level fields and block types are kept: the native path (Bedrock
 * InvokeModel, Anthropic) forwards the body as the client sent it, and the
 * translation path refuses what it cannot map, naming it.
 */

const cacheControl = z.looseObject({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() });

const base64Source = z.looseObject({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string().min(1) });
const urlSource = z.looseObject({ type: z.literal('url'), url: z.string().min(1) });
const textSource = z.looseObject({ type: z.literal('text'), media_type: z.string().optional(), data: z.string() });

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string(), cache_control: cacheControl.nullish() });
const imageBlock = z.looseObject({ type: z.literal('image'), source: z.union([base64Source, urlSource]), cache_control: cacheControl.nullish() });

/** The blocks Tollway reads, by type; other types (server tools, search results...) are kept as they are. */
const knownBlocks: Record<string, z.ZodType> = {
  text: textBlock,
  image: imageBlock,
  document: z.looseObject({
    type: z.literal('document'),
    source: z.union([base64Source, urlSource, textSource, z.looseObject({ type: z.literal('content'), content: z.unknown() })]),
    title: z.string().nullish(),
    cache_control: cacheControl.nullish(),
  }),
  tool_use: z.looseObject({
    type: z.literal('tool_use'),
    id: z.string().min(1).max(512),
    name: z.string().min(1).max(256),
    input: z.record(z.string(), z.unknown()),
    cache_control: cacheControl.nullish(),
  }),
  tool_result: z.looseObject({
    type: z.literal('tool_result'),
    tool_use_id: z.string().min(1).max(512),
    content: z.union([z.string(), z.array(z.union([textBlock, imageBlock, z.looseObject({ type: z.string() })]))]).optional(),
    is_error: z.boolean().optional(),
    cache_control: cacheControl.nullish(),
  }),
  mcp_tool_use: z.looseObject({
    type: z.literal('mcp_tool_use'),
    id: z.string().min(1).max(512),
    name: z.string().min(1).max(256),
    server_name: z.string().min(1).max(64),
    input: z.record(z.string(), z.unknown()),
  }),
  mcp_tool_result: z.looseObject({
    type: z.literal('mcp_tool_result'),
    tool_use_id: z.string().min(1).max(512),
    content: z.union([z.string(), z.array(z.union([textBlock, z.looseObject({ type: z.string() })]))]).optional(),
    is_error: z.boolean().optional(),
  }),
  thinking: z.looseObject({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().optional() }),
  redacted_thinking: z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() }),
};

/** A content block: `type` must be a string; blocks Tollway reads are checked against their shape. */
const contentBlock = z.looseObject({ type: z.string().min(1) }).superRefine((block, context) => {
  const schema = knownBlocks[block.type];
  const result = schema?.safeParse(block);
  if (!result || result.success) return;
  for (const issue of result.error.issues) context.addIssue({ code: 'custom', message: issue.message, path: issue.path as PropertyKey[] as (string | number)[] });
});

export type MessagesContentBlock = z.infer<typeof contentBlock> & Record<string, unknown>;

const message = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(contentBlock)]),
});

const tool = z.looseObject({
  /** Absent or `custom` for client tools; Anthropic's server and computer-use tools have their own (`web_search_20250305`). */
  type: z.string().optional(),
  name: z.string().min(1).max(256),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
  cache_control: cacheControl.nullish(),
});

const toolChoice = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('tool'), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('none') }),
]);

const thinking = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('enabled'), budget_tokens: z.number().int().min(1) }),
  z.looseObject({ type: z.literal('disabled') }),
  z.looseObject({ type: z.literal('adaptive') }),
]);

/** Anthropic's MCP connector, narrowed: only servers the gateway config names; their URL comes from the config. */
const mcpServer = z.looseObject({
  type: z.literal('url'),
  name: z.string().min(1).max(64),
  url: z.string().optional(),
  tool_configuration: z.looseObject({ enabled: z.boolean().optional(), allowed_tools: z.array(z.string().min(1)).max(500).nullish() }).nullish(),
});

export const messagesRequestSchema = z.looseObject({
  model: z.string().min(1).max(256),
  max_tokens: z.number().int().min(1).max(1_000_000),
  messages: z.array(message).min(1),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  tools: z.array(tool).max(1_000).optional(),
  tool_choice: toolChoice.optional(),
  thinking: thinking.optional(),
  metadata: z.looseObject({ user_id: z.string().max(512).nullish() }).optional(),
  stop_sequences: z.array(z.string()).max(8_192).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  stream: z.boolean().optional(),
  mcp_servers: z.array(mcpServer).max(20).optional(),
});

export type MessagesRequest = z.infer<typeof messagesRequestSchema>;

/** `POST /v1/messages/count_tokens`: the same body without `max_tokens` and `stream`. */
export const countTokensRequestSchema = messagesRequestSchema.omit({ max_tokens: true, stream: true });

export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;

import type { FinishReason, ModelResult, Usage } from '../language-model.js';
import type { ChatMcpTools, ExecutedToolCall } from '../chat/mcp-chat-tools.js';
import type { FileSearchSource } from '../chat/file-search.js';
import type { ResponseItem } from './response-store.js';
import type { ResponsesRequest } from './responses-request-schema.js';

/** What identifies one response, and names its output items. */
export interface ResponseIdentity {
  id: string;
  createdAt: number;
  /** The model name the client asked for. */
  model: string;
}

/** Ids of output items: `<prefix>_<response id's suffix>_<n>`, unique within and across responses. */
export const itemId = (identity: ResponseIdentity, prefix: string, index: number): string => `${prefix}_${identity.id.slice('resp_'.length)}_${index}`;

export const responseUsage = (usage: Usage) => ({
  // OpenAI counts cached tokens inside input_tokens.
  input_tokens: usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens,
  input_tokens_details: { cached_tokens: usage.cacheReadTokens },
  output_tokens: usage.outputTokens,
  output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
  total_tokens: usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens + usage.outputTokens,
});

export const outputText = (text: string) => ({ type: 'output_text', text, annotations: [], logprobs: [] });

export const messageItem = (id: string, text: string, status = 'completed'): ResponseItem => ({ type: 'message', id, status, role: 'assistant', content: [outputText(text)] });

export const reasoningItem = (id: string, text: string, signature?: string): ResponseItem => ({
  type: 'reasoning',
  id,
  summary: text ? [{ type: 'summary_text', text }] : [],
  ...(signature ? { encrypted_content: signature } : {}),
});

export const functionCallItem = (id: string, callId: string, name: string, args: string, status = 'completed'): ResponseItem => ({
  type: 'function_call',
  id,
  call_id: callId,
  name,
  arguments: args,
  status,
});

/** The tools each MCP server offered (`mcp_list_tools`, one item per server). */
export const mcpListToolsItems = (identity: ResponseIdentity, tools: ChatMcpTools, first: number): ResponseItem[] => {
  const byServer = new Map<string, ResponseItem[]>();
  for (const tool of tools.byName.values()) {
    const list = byServer.get(tool.server) ?? [];
    list.push({ name: tool.tool, description: tool.description ?? null, input_schema: tool.inputSchema, annotations: null });
    byServer.set(tool.server, list);
  }
  return [...byServer].map(([server, list], index) => ({ type: 'mcp_list_tools', id: itemId(identity, 'mcpl', first + index), server_label: server, tools: list, error: null }));
};

export const mcpCallItem = (identity: ResponseIdentity, call: ExecutedToolCall, index: number): ResponseItem => ({
  type: 'mcp_call',
  id: itemId(identity, 'mcp', index),
  server_label: call.server,
  name: call.tool,
  arguments: call.arguments,
  output: call.is_error ? null : call.output,
  error: call.is_error ? call.output : null,
  status: call.is_error ? 'failed' : 'completed',
});

/** The `file_search_call` of a request that searched knowledge bases; results only when `include` asks for them. */
export const fileSearchCallItem = (identity: ResponseIdentity, query: string, sources: FileSearchSource[], withResults: boolean): ResponseItem => ({
  type: 'file_search_call',
  id: itemId(identity, 'fs', 0),
  status: 'completed',
  queries: [query],
  results: withResults
    ? sources.map((source) => ({ file_id: source.file_id, filename: source.filename, score: source.score, text: source.text, attributes: { ...source.attributes, knowledge_base: source.knowledge_base } }))
    : null,
});

/** The final round's content as output items, numbered from `first`. */
export const resultItems = (identity: ResponseIdentity, result: Pick<ModelResult, 'content'>, first: number): ResponseItem[] => {
  const items: ResponseItem[] = [];
  let text: string[] = [];
  const flushText = () => {
    if (text.length > 0) items.push(messageItem(itemId(identity, 'msg', first + items.length), text.join('')));
    text = [];
  };
  for (const part of result.content) {
    if (part.type === 'text') {
      text.push(part.text);
      continue;
    }
    flushText();
    const id = (prefix: string) => itemId(identity, prefix, first + items.length);
    if (part.type === 'reasoning') items.push(reasoningItem(id('rs'), part.text, part.signature));
    else items.push(functionCallItem(id('fc'), part.id, part.name, part.arguments));
  }
  flushText();
  return items;
};

export type ResponseStatus = 'completed' | 'incomplete' | 'failed' | 'in_progress';

/** The status and `incomplete_details` a finish reason gives. */
export const statusOf = (finishReason: FinishReason | undefined): { status: ResponseStatus; incomplete_details: { reason: string } | null } => {
  if (finishReason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finishReason === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
};

/** The response object, echoing the request's settings as OpenAI does. */
export const responseObject = (
  identity: ResponseIdentity,
  request: ResponsesRequest,
  fields: { status: ResponseStatus; output: ResponseItem[]; usage?: Usage; error?: { code: string; message: string } | null; incomplete_details?: { reason: string } | null },
): Record<string, unknown> => {
  const text = fields.output
    .filter((item) => item.type === 'message')
    .flatMap((item) => (item.content as Array<{ type: string; text?: string }>).filter((part) => part.type === 'output_text').map((part) => part.text ?? ''))
    .join('');
  return {
    id: identity.id,
    object: 'response',
    created_at: identity.createdAt,
    status: fields.status,
    background: false,
    error: fields.error ?? null,
    incomplete_details: fields.incomplete_details ?? null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    metadata: request.metadata ?? {},
    model: identity.model,
    output: fields.output,
    output_text: text,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: null },
    store: request.store !== false,
    temperature: request.temperature ?? 1,
    text: { format: request.text?.format ?? { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_p: request.top_p ?? 1,
    truncation: request.truncation ?? 'disabled',
    usage: fields.usage ? responseUsage(fields.usage) : null,
    user: request.user ?? null,
  };
};

import { invalidRequest } from '../errors.js';
import type { AssistantContentPart, ModelMessage, ModelRequest, ResponseFormat, ToolChoice, ToolDefinition, UserContentPart } from '../language-model.js';
import { decodeFile, decodeImage } from '../chat/convert-chat-request.js';
import type { ResponseItem } from './response-store.js';
import type { ResponsesRequest } from './responses-request-schema.js';

/**
 * Turns a Responses request and its conversation (stored history, then the
 * new input) into the provider-neutral request. Consecutive assistant-side
 * items (messages, reasoning, function calls) become one assistant turn;
 * function outputs become tool messages; items the gateway ran itself
 * (`mcp_call`) become a call and its result, so the model sees its own work.
 */

type Content = string | Array<Record<string, unknown>>;

const userParts = (content: Content, param: string): UserContentPart[] => {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part, index) => {
    const at = `${param}[${index}]`;
    if (part.type === 'input_text' || part.type === 'output_text') return { type: 'text', text: part.text as string };
    if (part.type === 'input_image') {
      if (typeof part.image_url !== 'string') throw invalidRequest('Images must be given as image_url data: URLs; file_id is not supported.', `${at}.image_url`, 'unsupported_image_url');
      return decodeImage(part.image_url, `${at}.image_url`);
    }
    if (part.type === 'input_file') return decodeFile({ file_data: (part.file_data as string | null) ?? undefined, file_id: (part.file_id as string | null) ?? undefined, filename: (part.filename as string | null) ?? undefined }, at);
    throw invalidRequest(`Content parts of type "${String(part.type)}" are not supported here.`, `${at}.type`, 'unsupported_content');
  });
};

const textOf = (content: Content): string =>
  typeof content === 'string' ? content : content.map((part) => (typeof part.text === 'string' ? part.text : typeof part.refusal === 'string' ? part.refusal : '')).join('');

/** Builds the neutral messages of a conversation of items. */
export const toModelMessages = (instructions: string | null | undefined, items: readonly ResponseItem[]): ModelMessage[] => {
  const messages: ModelMessage[] = instructions ? [{ role: 'system', content: instructions }] : [];
  let assistant: AssistantContentPart[] | undefined;
  const assistantTurn = (): AssistantContentPart[] => {
    if (!assistant) {
      assistant = [];
      messages.push({ role: 'assistant', content: assistant });
    }
    return assistant;
  };
  items.forEach((item, index) => {
    const param = `input[${index}]`;
    const type = item.type ?? 'message';
    if (type === 'message') {
      const role = item.role as string;
      const content = item.content as Content;
      if (role === 'assistant') return void assistantTurn().push({ type: 'text', text: textOf(content) });
      assistant = undefined;
      if (role === 'system' || role === 'developer') return void messages.push({ role: 'system', content: textOf(content) });
      return void messages.push({ role: 'user', content: userParts(content, `${param}.content`) });
    }
    if (type === 'reasoning') {
      const summary = (item.summary as Array<{ text: string }> | undefined) ?? [];
      const content = (item.content as Array<{ text: string }> | null | undefined) ?? [];
      const text = (content.length > 0 ? content : summary).map((part) => part.text).join('\n');
      return void assistantTurn().push({ type: 'reasoning', text, signature: (item.encrypted_content as string | null | undefined) ?? undefined });
    }
    if (type === 'function_call') {
      return void assistantTurn().push({ type: 'tool-call', id: item.call_id as string, name: item.name as string, arguments: item.arguments as string });
    }
    if (type === 'function_call_output') {
      assistant = undefined;
      return void messages.push({ role: 'tool', toolCallId: item.call_id as string, content: textOf(item.output as Content) });
    }
    if (type === 'mcp_call') {
      const id = String(item.id ?? `mcp_${index}`);
      assistantTurn().push({ type: 'tool-call', id, name: `${String(item.server_label)}__${String(item.name)}`, arguments: String(item.arguments ?? '{}') });
      assistant = undefined;
      return void messages.push({ role: 'tool', toolCallId: id, content: String(item.output ?? item.error ?? ''), ...(item.error ? { isError: true } : {}) });
    }
    if (type === 'mcp_list_tools' || type === 'file_search_call') return;
    throw invalidRequest(`Input items of type "${String(type)}" are not supported.`, `${param}.type`, 'unsupported_input_item');
  });
  return messages;
};

const toolChoiceOf = (choice: ResponsesRequest['tool_choice']): ToolChoice | undefined => {
  if (!choice) return undefined;
  if (typeof choice === 'string') return choice;
  if (choice.type === 'function') return { name: choice.name as string };
  return 'required';
};

const responseFormatOf = (format: NonNullable<ResponsesRequest['text']>['format']): ResponseFormat | undefined => {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  return { type: 'json_schema', name: format.name, description: format.description ?? undefined, schema: format.schema, strict: format.strict ?? undefined };
};

/** The client's function tools as neutral definitions. */
export const functionToolsOf = (request: ResponsesRequest): ToolDefinition[] =>
  (request.tools ?? []).flatMap((tool) =>
    tool.type === 'function' ? [{ name: tool.name, description: tool.description ?? undefined, parameters: tool.parameters ?? { type: 'object', properties: {} }, strict: tool.strict ?? undefined }] : [],
  );

/** The neutral request: conversation, function tools, format, effort and sampling; `defaultMaxOutputTokens` when the request sets no cap. */
export const toModelRequestFromResponses = (request: ResponsesRequest, conversation: readonly ResponseItem[], defaultMaxOutputTokens: number): ModelRequest => {
  const tools = functionToolsOf(request);
  return {
    messages: toModelMessages(request.instructions, conversation),
    tools: tools.length > 0 ? tools : undefined,
    toolChoice: toolChoiceOf(request.tool_choice),
    parallelToolCalls: request.parallel_tool_calls ?? undefined,
    maxOutputTokens: request.max_output_tokens ?? defaultMaxOutputTokens,
    temperature: request.temperature ?? undefined,
    topP: request.top_p ?? undefined,
    responseFormat: responseFormatOf(request.text?.format),
    reasoningEffort: request.reasoning?.effort ?? undefined,
    user: request.user ?? undefined,
  };
};

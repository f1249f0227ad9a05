import type { AssistantContentPart, ModelMessage, UserContentPart } from '../../core/language-model.js';
import type { OpenAIChatMessage, OpenAIToolCall, OpenAIUserContentPart } from './openai-chat-api-types.js';

const toDataUrl = (mediaType: string, data: Uint8Array): string =>
  `data:${mediaType};base64,${Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64')}`;

const convertUserContent = (parts: UserContentPart[]): string | OpenAIUserContentPart[] => {
  // A lone text part goes as a plain string: text-only servers (many Ollama and vLLM models) accept nothing else.
  if (parts.length === 1 && parts[0].type === 'text') return parts[0].text;
  return parts.map((part): OpenAIUserContentPart => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    if (part.type === 'image') return { type: 'image_url', image_url: { url: toDataUrl(part.mediaType, part.data) } };
    return { type: 'file', file: { file_data: toDataUrl(part.mediaType, part.data), ...(part.filename ? { filename: part.filename } : {}) } };
  });
};

const convertAssistantMessage = (parts: AssistantContentPart[]): OpenAIChatMessage => {
  let text = '';
  const toolCalls: OpenAIToolCall[] = [];
  for (const part of parts) {
    if (part.type === 'text') text += part.text;
    if (part.type === 'tool-call') {
      toolCalls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } });
    }
    // Reasoning is dropped: Chat Completions takes no reasoning back.
  }
  return toolCalls.length > 0 ? { role: 'assistant', content: text, tool_calls: toolCalls } : { role: 'assistant', content: text };
};

/** Converts neutral messages to OpenAI Chat Completions messages. */
export const convertToOpenAIMessages = (messages: ModelMessage[]): OpenAIChatMessage[] =>
  messages.map((message): OpenAIChatMessage => {
    switch (message.role) {
      case 'system':
        return { role: 'system', content: message.content };
      case 'user':
        return { role: 'user', content: convertUserContent(message.content) };
      case 'assistant':
        return convertAssistantMessage(message.content);
      case 'tool':
        return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    }
  });

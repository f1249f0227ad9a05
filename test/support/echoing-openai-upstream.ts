import type { ServerResponse } from 'node:http';
import { completionBody, endSse, sendChunk, sendJson, sendUsageChunk, startSse, type ReceivedRequest, type UpstreamHandler } from './fake-openai-upstream.js';

interface ChatMessage {
  role: string;
  content?: string | Array<{ type: string; text?: string }> | null;
  tool_calls?: Array<{ function: { arguments: string } }>;
}

const textOf = (message: ChatMessage): string => {
  if (typeof message.content === 'string') return message.content;
  const text = (message.content ?? []).map((part) => part.text ?? '').join('');
  return text + (message.tool_calls ?? []).map((call) => call.function.arguments).join('');
};

const asJsonObject = (text: string): string => {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return JSON.stringify(parsed);
  } catch {
    // not JSON: wrapped below
  }
  return JSON.stringify({ input: text });
};

/** What the upstream answers, as echo would: the tool results, a forced tool call with the user's text as arguments, or the user's text. */
const answerFor = (body: Record<string, any>): { text: string; toolCall?: { name: string; arguments: string } } => {
  const messages = body.messages as ChatMessage[];
  const trailingTools: string[] = [];
  for (let index = messages.length - 1; index >= 0 && messages[index].role === 'tool'; index -= 1) trailingTools.unshift(textOf(messages[index]));
  if (trailingTools.length > 0) return { text: trailingTools.join('\n') };
  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  const text = lastUser ? textOf(lastUser) : '';
  const choice = body.tool_choice as string | { function: { name: string } } | undefined;
  const tools = (body.tools ?? []) as Array<{ function: { name: string } }>;
  if (tools.length > 0 && (choice === 'required' || typeof choice === 'object')) {
    return { text: '', toolCall: { name: typeof choice === 'object' ? choice.function.name : tools[0].function.name, arguments: asJsonObject(text) } };
  }
  return { text };
};

const words = (text: string): string[] => text.match(/\S+\s*|\s+/g) ?? [];

/**
 * An OpenAI-compatible upstream that answers like the echo model, over the
 * Chat Completions wire format (JSON and SSE with a usage chunk): the same
 * tests can run over the gateway's translation to a real HTTP upstream.
 */
export const echoingOpenAIUpstream: UpstreamHandler = (request: ReceivedRequest, response: ServerResponse) => {
  const answer = answerFor(request.body);
  const usage = {
    prompt_tokens: (request.body.messages as ChatMessage[]).reduce((sum, message) => sum + words(textOf(message)).length + 3, 0),
    completion_tokens: Math.max(1, words(answer.text).length + (answer.toolCall ? words(answer.toolCall.arguments).length : 0)),
  };
  const toolCall = answer.toolCall && { id: `call_relay_${usage.prompt_tokens}`, type: 'function', function: answer.toolCall };
  const finishReason = toolCall ? 'tool_calls' : 'stop';
  if (request.body.stream !== true) {
    sendJson(response, 200, completionBody({ content: answer.text || null, ...(toolCall ? { tool_calls: [toolCall] } : {}) }, finishReason, usage));
    return;
  }
  startSse(response);
  sendChunk(response, { role: 'assistant', content: '' });
  for (const word of words(answer.text)) sendChunk(response, { content: word });
  if (toolCall) sendChunk(response, { tool_calls: [{ index: 0, ...toolCall }] });
  sendChunk(response, {}, finishReason);
  if (request.body.stream_options?.include_usage) sendUsageChunk(response, usage);
  endSse(response);
};

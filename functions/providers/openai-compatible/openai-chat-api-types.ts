/**
 * The request side of the OpenAI Chat Completions API, as far as Tollway sends
 * it. Responses come from outside and are described by zod schemas instead
 * (`openai-chat-schemas.ts`).
 */

export type OpenAIUserContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } }
  | { type: 'file'; file: { file_data: string; filename?: string } };

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type OpenAIChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | OpenAIUserContentPart[] }
  | { role: 'assistant'; content: string; tool_calls?: OpenAIToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface OpenAITool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown>; strict?: boolean };
}

export type OpenAIToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

export type OpenAIResponseFormat =
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: { name: string; description?: string; schema: Record<string, unknown>; strict?: boolean };
    };

/** Which field carries the output cap: compatible servers know `max_tokens`; OpenAI's reasoning models need `max_completion_tokens`. */
export type MaxTokensField = 'max_tokens' | 'max_completion_tokens';

export interface OpenAIChatRequestBody {
  model: string;
  messages: OpenAIChatMessage[];
  tools?: OpenAITool[];
  tool_choice?: OpenAIToolChoice;
  parallel_tool_calls?: boolean;
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string[];
  response_format?: OpenAIResponseFormat;
  reasoning_effort?: string;
  user?: string;
  stream?: true;
  stream_options?: { include_usage: boolean };
}

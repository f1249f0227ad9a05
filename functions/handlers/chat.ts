/**
 * Lambda entry point for the chat routes (completions, messages, responses,
 * models). Streamed (streaming-handler.ts): usage records and late metrics are
 * settled after the client has its last byte, before the invocation returns.
 */
import { createChatRuntime } from '../runtime/chat-runtime.js';
import { streamingHandler } from './streaming-handler.js';

export const handler = streamingHandler('chat', createChatRuntime);

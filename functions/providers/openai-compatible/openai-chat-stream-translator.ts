import { UpstreamError } from '../../core/errors.js';
import { emptyUsage, type FinishReason, type StreamPart, type Usage } from '../../core/language-model.js';
import { convertOpenAIUsage } from './convert-openai-usage.js';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.js';
import type { OpenAIChatChunk } from './openai-chat-schemas.js';

type ToolCallDelta = NonNullable<NonNullable<NonNullable<OpenAIChatChunk['choices']>[number]['delta']>['tool_calls']>[number];

interface ToolCallState {
  /** The neutral index: order of appearance from 0. */
  index: number;
  id: string;
  open: boolean;
}

/**
 * Turns Chat Completions chunks into neutral stream parts, one chunk at a
 * time, remembering which tool calls are open and the finish reason and usage
 * seen so far. Only the first choice is read: Tollway never asks for more.
 */
export class OpenAIChatStreamTranslator {
  private readonly toolCalls: ToolCallState[] = [];
  private readonly toolCallsByUpstreamIndex = new Map<number, ToolCallState>();
  private finishReason: FinishReason | undefined;
  private usage: Usage = emptyUsage();

  constructor(private readonly generateId: () => string) {}

  /** Whether the upstream has said why the generation ended. */
  get hasFinished(): boolean {
    return this.finishReason !== undefined;
  }

  /** The parts one chunk stands for. */
  *translate(chunk: OpenAIChatChunk): Generator<StreamPart> {
    if (chunk.usage) this.usage = convertOpenAIUsage(chunk.usage);
    const choice = chunk.choices?.[0];
    if (!choice) return;
    const delta = choice.delta;
    const reasoning = delta?.reasoning_content ?? delta?.reasoning;
    if (reasoning) yield { type: 'reasoning-delta', text: reasoning };
    if (delta?.content) yield { type: 'text-delta', text: delta.content };
    for (const [position, toolCallDelta] of (delta?.tool_calls ?? []).entries()) {
      yield* this.translateToolCall(toolCallDelta, position);
    }
    if (choice.finish_reason) {
      this.finishReason = mapOpenAIFinishReason(choice.finish_reason);
      yield* this.endOpenToolCalls();
    }
  }

  /** The closing parts: ends of calls still open, then the one `finish`. */
  *finish(): Generator<StreamPart> {
    yield* this.endOpenToolCalls();
    yield { type: 'finish', finishReason: this.finishReason ?? 'stop', usage: this.usage };
  }

  private *translateToolCall(delta: ToolCallDelta, position: number): Generator<StreamPart> {
    const upstreamIndex = delta.index ?? position;
    const argumentsDelta = delta.function?.arguments;
    const current = this.toolCallsByUpstreamIndex.get(upstreamIndex);
    // Some servers repeat the id on every delta; a different id at the same index is a new call.
    if (current?.open && (!delta.id || delta.id === current.id)) {
      if (argumentsDelta) yield { type: 'tool-call-delta', index: current.index, argumentsDelta };
      return;
    }
    const name = delta.function?.name;
    if (!name) {
      throw new UpstreamError(502, 'upstream streamed a tool call without a name', { code: 'upstream_invalid_response', retryable: true });
    }
    const call: ToolCallState = { index: this.toolCalls.length, id: delta.id || this.generateId(), open: true };
    this.toolCalls.push(call);
    this.toolCallsByUpstreamIndex.set(upstreamIndex, call);
    yield { type: 'tool-call-start', index: call.index, id: call.id, name };
    if (argumentsDelta) yield { type: 'tool-call-delta', index: call.index, argumentsDelta };
  }

  private *endOpenToolCalls(): Generator<StreamPart> {
    for (const call of this.toolCalls) {
      if (!call.open) continue;
      call.open = false;
      yield { type: 'tool-call-end', index: call.index };
    }
  }
}

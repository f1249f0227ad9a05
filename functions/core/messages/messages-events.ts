import type { FinishReason, MessagesStreamEvent, StreamPart, Usage } from '../language-model.js';
import { fromMessagesUsage, stopReasonOf, toMessagesUsage, type MessageIdentity } from './messages-response.js';

type OpenBlock = { kind: 'text' | 'thinking' | 'tool_use'; index: number; toolIndex?: number };

/**
 * Neutral stream parts as Anthropic stream events, in Anthropic's order:
 * `message_start`, then for each block `content_block_start`, its deltas
 * (`text_delta`, `thinking_delta`, `signature_delta`, `input_json_delta`) and
 * `content_block_stop`, then `message_delta` with the stop reason and usage,
 * and `message_stop`. Usage is only known at the end, so `message_start`
 * carries zeros and `message_delta` the whole usage, which the SDKs take.
 */
export class MessagesEventTranslator {
  private open: OpenBlock | undefined;
  private nextIndex = 0;

  constructor(private readonly identity: MessageIdentity) {}

  start(): MessagesStreamEvent[] {
    return [
      {
        type: 'message_start',
        message: {
          id: this.identity.id,
          type: 'message',
          role: 'assistant',
          model: this.identity.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0 },
        },
      },
      { type: 'ping' },
    ];
  }

  translate(part: StreamPart): MessagesStreamEvent[] {
    switch (part.type) {
      case 'text-delta':
        if (part.text === '') return [];
        return [...this.ensure('text', () => ({ type: 'text', text: '' })), this.delta({ type: 'text_delta', text: part.text })];
      case 'reasoning-delta':
        if (part.text === '') return [];
        return [...this.ensure('thinking', () => ({ type: 'thinking', thinking: '', signature: '' })), this.delta({ type: 'thinking_delta', thinking: part.text })];
      case 'reasoning-signature':
        return [...this.ensure('thinking', () => ({ type: 'thinking', thinking: '', signature: '' })), this.delta({ type: 'signature_delta', signature: part.signature })];
      case 'tool-call-start': {
        const events = this.close();
        const index = this.nextIndex++;
        this.open = { kind: 'tool_use', index, toolIndex: part.index };
        events.push({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: part.id, name: part.name, input: {} } });
        return events;
      }
      case 'tool-call-delta':
        if (this.open?.kind !== 'tool_use' || this.open.toolIndex !== part.index || part.argumentsDelta === '') return [];
        return [this.delta({ type: 'input_json_delta', partial_json: part.argumentsDelta })];
      case 'tool-call-end':
        return this.open?.kind === 'tool_use' && this.open.toolIndex === part.index ? this.close() : [];
      case 'finish':
        return this.finish(part.finishReason, part.usage);
    }
  }

  /** Whole blocks (the MCP connector's calls and results), each opened and closed at once. */
  whole(blocks: readonly Record<string, unknown>[]): MessagesStreamEvent[] {
    const events = this.close();
    for (const block of blocks) {
      const index = this.nextIndex++;
      events.push({ type: 'content_block_start', index, content_block: block }, { type: 'content_block_stop', index });
    }
    return events;
  }

  finish(finishReason: FinishReason, usage: Usage): MessagesStreamEvent[] {
    return [
      ...this.close(),
      { type: 'message_delta', delta: { stop_reason: stopReasonOf(finishReason), stop_sequence: null }, usage: toMessagesUsage(usage) },
      { type: 'message_stop' },
    ];
  }

  private ensure(kind: 'text' | 'thinking', block: () => Record<string, unknown>): MessagesStreamEvent[] {
    if (this.open?.kind === kind) return [];
    const events = this.close();
    const index = this.nextIndex++;
    this.open = { kind, index };
    events.push({ type: 'content_block_start', index, content_block: block() });
    return events;
  }

  private delta(delta: Record<string, unknown>): MessagesStreamEvent {
    return { type: 'content_block_delta', index: this.open?.index ?? 0, delta };
  }

  private close(): MessagesStreamEvent[] {
    if (!this.open) return [];
    const index = this.open.index;
    this.open = undefined;
    return [{ type: 'content_block_stop', index }];
  }
}

/**
 * Follows a stream of Anthropic events for metering: the usage
 * (`message_start` gives input and cache counts, `message_delta` the final
 * output count and sometimes all of them), the stop reason, and the
 * characters generated, to estimate output when the stream ends early.
 */
export class MessagesUsageTracker {
  private usage: Record<string, unknown> = {};
  generatedCharacters = 0;
  firstTokenAt: number | undefined;
  stopReason: string | undefined;
  finished = false;
  /** Whether `message_delta` has reported usage (the whole of it, tool-loop rounds included). */
  usageFinal = false;

  observe(event: MessagesStreamEvent): void {
    if (event.type === 'message_start') {
      const message = event.message as { usage?: Record<string, unknown> } | undefined;
      this.usage = { ...this.usage, ...message?.usage };
    } else if (event.type === 'message_delta') {
      const usage = event.usage as Record<string, unknown> | undefined;
      for (const [field, value] of Object.entries(usage ?? {})) if (typeof value === 'number') this.usage[field] = value;
      this.usageFinal ||= usage !== undefined;
      this.stopReason = (event.delta as { stop_reason?: string } | undefined)?.stop_reason ?? this.stopReason;
    } else if (event.type === 'content_block_delta') {
      const delta = event.delta as Record<string, unknown> | undefined;
      const text = delta?.text ?? delta?.thinking ?? delta?.partial_json;
      if (typeof text === 'string' && text.length > 0) {
        this.firstTokenAt ??= performance.now();
        this.generatedCharacters += text.length;
      }
    } else if (event.type === 'message_stop') {
      this.finished = true;
    }
  }

  /** The usage reported so far; output at least what was seen generated (4 characters a token). */
  reported(): Usage {
    const usage = fromMessagesUsage(this.usage);
    return { ...usage, outputTokens: Math.max(usage.outputTokens, this.finished ? 0 : Math.ceil(this.generatedCharacters / 4)) };
  }
}

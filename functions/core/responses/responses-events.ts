import type { FinishReason, StreamPart, Usage } from '../language-model.js';
import type { ResponseItem } from './response-store.js';
import type { ResponsesRequest } from './responses-request-schema.js';
import { functionCallItem, itemId, messageItem, outputText, reasoningItem, responseObject, statusOf, type ResponseIdentity } from './responses-output.js';

/** One Responses stream event: its type, its place in the stream, its fields. */
export type ResponsesEvent = { type: string; sequence_number: number } & Record<string, unknown>;

/** A tool call that started while another was still open: held until that one is done, so items never interleave. */
interface QueuedCall {
  toolIndex: number;
  callId: string;
  name: string;
  arguments: string;
  ended: boolean;
}

type OpenItem =
  | { kind: 'message'; index: number; id: string; text: string }
  | { kind: 'reasoning'; index: number; id: string; text: string; signature?: string; summaryOpen: boolean }
  | { kind: 'function_call'; index: number; id: string; callId: string; name: string; arguments: string; toolIndex: number };

/**
 * Neutral stream parts as the Responses API's semantic events, each with a
 * rising `sequence_number`: `response.created` and `response.in_progress`;
 * for each output item `output_item.added`, its parts and deltas, and
 * `output_item.done`; then `response.completed`, `response.incomplete` or
 * `response.failed` carrying the whole response. Every `added` gets its
 * `done`; the `done` events carry the whole text, so they always equal the
 * deltas joined.
 */
export class ResponsesEventWriter {
  private sequence = 0;
  private open: OpenItem | undefined;
  private queued: QueuedCall[] = [];
  readonly output: ResponseItem[] = [];

  constructor(
    private readonly identity: ResponseIdentity,
    private readonly request: ResponsesRequest,
  ) {}

  start(): ResponsesEvent[] {
    const response = responseObject(this.identity, this.request, { status: 'in_progress', output: [] });
    return [this.event('response.created', { response }), this.event('response.in_progress', { response })];
  }

  /** Whole items the gateway produced (its MCP calls, its searches), each added and done at once. */
  items(items: readonly ResponseItem[]): ResponsesEvent[] {
    const events = this.close();
    for (const item of items) {
      const output_index = this.output.length;
      this.output.push(item);
      events.push(this.event('response.output_item.added', { output_index, item }), this.event('response.output_item.done', { output_index, item }));
    }
    return events;
  }

  translate(part: StreamPart): ResponsesEvent[] {
    switch (part.type) {
      case 'text-delta': {
        if (part.text === '') return [];
        const events = this.ensure('message');
        const open = this.open as Extract<OpenItem, { kind: 'message' }>;
        open.text += part.text;
        events.push(this.event('response.output_text.delta', { item_id: open.id, output_index: open.index, content_index: 0, delta: part.text, logprobs: [] }));
        return events;
      }
      case 'reasoning-delta': {
        if (part.text === '') return [];
        const events = this.ensure('reasoning');
        const open = this.open as Extract<OpenItem, { kind: 'reasoning' }>;
        open.text += part.text;
        if (!open.summaryOpen) {
          open.summaryOpen = true;
          events.push(this.event('response.reasoning_summary_part.added', { item_id: open.id, output_index: open.index, summary_index: 0, part: { type: 'summary_text', text: '' } }));
        }
        events.push(this.event('response.reasoning_summary_text.delta', { item_id: open.id, output_index: open.index, summary_index: 0, delta: part.text }));
        return events;
      }
      case 'reasoning-signature': {
        const events = this.ensure('reasoning');
        (this.open as Extract<OpenItem, { kind: 'reasoning' }>).signature = part.signature;
        return events;
      }
      case 'tool-call-start': {
        const call = { toolIndex: part.index, callId: part.id, name: part.name, arguments: '', ended: false };
        if (this.open?.kind === 'function_call') {
          this.queued.push(call);
          return [];
        }
        return [...this.close(), ...this.openCall(call)];
      }
      case 'tool-call-delta': {
        const open = this.open;
        if (part.argumentsDelta === '') return [];
        if (open?.kind === 'function_call' && open.toolIndex === part.index) {
          open.arguments += part.argumentsDelta;
          return [this.event('response.function_call_arguments.delta', { item_id: open.id, output_index: open.index, delta: part.argumentsDelta })];
        }
        const queued = this.queued.find((call) => call.toolIndex === part.index);
        if (queued) queued.arguments += part.argumentsDelta;
        return [];
      }
      case 'tool-call-end': {
        if (this.open?.kind === 'function_call' && this.open.toolIndex === part.index) return this.closeCallAndPromote();
        const queued = this.queued.find((call) => call.toolIndex === part.index);
        if (queued) queued.ended = true;
        return [];
      }
      case 'finish':
        // What is open is closed by `finish()`, which knows whether the output was cut.
        return [];
    }
  }

  /** Closes what is open and ends the stream with the whole response: completed, or incomplete (output cap, filter). */
  finish(finishReason: FinishReason | undefined, usage: Usage): { events: ResponsesEvent[]; response: Record<string, unknown> } {
    const { status, incomplete_details } = statusOf(finishReason);
    // An item cut by the output cap or a filter is incomplete, as OpenAI marks it.
    const events = this.close(status === 'completed' ? 'completed' : 'incomplete');
    const response = responseObject(this.identity, this.request, { status, incomplete_details, output: this.output, usage });
    events.push(this.event(status === 'completed' ? 'response.completed' : 'response.incomplete', { response }));
    return { events, response };
  }

  /** Ends a stream that failed after it started: an `error` event, then `response.failed` with what was produced. */
  fail(error: { code: string; message: string }, usage: Usage): ResponsesEvent[] {
    const events = this.close('incomplete');
    const response = responseObject(this.identity, this.request, { status: 'failed', error, output: this.output, usage });
    events.push(this.event('error', { code: error.code, message: error.message, param: null }), this.event('response.failed', { response }));
    return events;
  }

  private ensure(kind: 'message' | 'reasoning'): ResponsesEvent[] {
    if (this.open?.kind === kind) return [];
    const events = this.close();
    const index = this.output.length;
    if (kind === 'message') {
      const id = itemId(this.identity, 'msg', index);
      this.open = { kind, index, id, text: '' };
      const item = { type: 'message', id, status: 'in_progress', role: 'assistant', content: [] };
      this.output.push(item);
      events.push(this.event('response.output_item.added', { output_index: index, item }));
      events.push(this.event('response.content_part.added', { item_id: id, output_index: index, content_index: 0, part: outputText('') }));
    } else {
      const id = itemId(this.identity, 'rs', index);
      // The summary part opens with the first summary text: a signature alone makes an item without one.
      this.open = { kind, index, id, text: '', summaryOpen: false };
      const item = { type: 'reasoning', id, summary: [] };
      this.output.push(item);
      events.push(this.event('response.output_item.added', { output_index: index, item }));
    }
    return events;
  }

  private openCall(call: QueuedCall): ResponsesEvent[] {
    const index = this.output.length;
    const id = itemId(this.identity, 'fc', index);
    this.open = { kind: 'function_call', index, id, callId: call.callId, name: call.name, arguments: call.arguments, toolIndex: call.toolIndex };
    const item = functionCallItem(id, call.callId, call.name, '', 'in_progress');
    this.output.push(item);
    const events = [this.event('response.output_item.added', { output_index: index, item })];
    if (call.arguments !== '') events.push(this.event('response.function_call_arguments.delta', { item_id: id, output_index: index, delta: call.arguments }));
    return events;
  }

  /** Closes the open call, then opens the calls that started meanwhile, closing those already ended. */
  private closeCallAndPromote(): ResponsesEvent[] {
    const events = this.closeOpen();
    while (this.queued.length > 0) {
      const call = this.queued.shift()!;
      events.push(...this.openCall(call));
      if (!call.ended) break;
      events.push(...this.closeOpen());
    }
    return events;
  }

  /** Closes the open item and every call still held. */
  private close(status = 'completed'): ResponsesEvent[] {
    const events = this.closeOpen(status);
    for (const call of this.queued.splice(0)) events.push(...this.openCall(call), ...this.closeOpen(status));
    return events;
  }

  private closeOpen(status = 'completed'): ResponsesEvent[] {
    const open = this.open;
    if (!open) return [];
    this.open = undefined;
    const at = { item_id: open.id, output_index: open.index };
    let item: ResponseItem;
    const events: ResponsesEvent[] = [];
    if (open.kind === 'message') {
      item = messageItem(open.id, open.text, status);
      events.push(this.event('response.output_text.done', { ...at, content_index: 0, text: open.text, logprobs: [] }));
      events.push(this.event('response.content_part.done', { ...at, content_index: 0, part: outputText(open.text) }));
    } else if (open.kind === 'reasoning') {
      item = reasoningItem(open.id, open.text, open.signature);
      if (open.summaryOpen) {
        events.push(this.event('response.reasoning_summary_text.done', { ...at, summary_index: 0, text: open.text }));
        events.push(this.event('response.reasoning_summary_part.done', { ...at, summary_index: 0, part: { type: 'summary_text', text: open.text } }));
      }
    } else {
      item = functionCallItem(open.id, open.callId, open.name, open.arguments, status);
      events.push(this.event('response.function_call_arguments.done', { ...at, name: open.name, arguments: open.arguments }));
    }
    this.output[open.index] = item;
    events.push(this.event('response.output_item.done', { output_index: open.index, item }));
    return events;
  }

  private event(type: string, fields: Record<string, unknown>): ResponsesEvent {
    return { type, sequence_number: this.sequence++, ...fields };
  }
}

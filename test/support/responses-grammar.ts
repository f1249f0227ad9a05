import { isDeepStrictEqual } from 'node:util';
import { emptyUsage, type FinishReason, type StreamPart, type Usage } from '../../functions/core/language-model.js';
import type { ResponseItem } from '../../functions/core/responses/response-store.js';
import { ResponsesEventWriter, type ResponsesEvent } from '../../functions/core/responses/responses-events.js';
import type { ResponseIdentity } from '../../functions/core/responses/responses-output.js';
import { responsesRequestSchema, type ResponsesRequest } from '../../functions/core/responses/responses-request-schema.js';

/** A list of Responses stream events that breaks the stream's grammar; the message names the event and the rule. */
export class ResponsesGrammarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResponsesGrammarError';
  }
}

const terminalStatus: Record<string, string> = {
  'response.completed': 'completed',
  'response.incomplete': 'incomplete',
  'response.failed': 'failed',
};

/** A content part (`content_index`) or summary part (`summary_index`) of the open item. */
interface PartState {
  deltas: string;
  /** The text of `output_text.done` / `reasoning_summary_text.done`, once it came. */
  doneText?: string;
  partDone: boolean;
}

interface OpenItem {
  index: number;
  id: string;
  type: string;
  contentParts: Map<number, PartState>;
  summaryParts: Map<number, PartState>;
  argumentDeltas: string;
  argumentsDone?: string;
}

const show = (value: unknown): string => JSON.stringify(value);

const where = (position: number, event: ResponsesEvent): string => `event #${position} (${event.type}, sequence_number ${show(event.sequence_number)})`;

const broken = (message: string): never => {
  throw new ResponsesGrammarError(`Responses grammar: ${message}`);
};

const numberField = (event: ResponsesEvent, position: number, name: string): number =>
  typeof event[name] === 'number' ? (event[name] as number) : broken(`${where(position, event)} has no numeric ${name}`);

const stringField = (event: ResponsesEvent, position: number, name: string): string =>
  typeof event[name] === 'string' ? (event[name] as string) : broken(`${where(position, event)} has no string ${name}`);

const itemField = (event: ResponsesEvent, position: number): ResponseItem => {
  const item = event.item as ResponseItem | undefined;
  if (typeof item !== 'object' || item === null || typeof item.type !== 'string' || typeof item.id !== 'string') {
    broken(`${where(position, event)} has no item with a type and an id`);
  }
  return item as ResponseItem;
};

const textOfPart = (part: unknown): unknown => (part as { text?: unknown } | undefined)?.text;

/** Walks the events between `response.in_progress` and the end, tracking the one open output item. */
class ItemWalk {
  readonly doneItems: ResponseItem[] = [];
  private open: OpenItem | undefined;

  take(event: ResponsesEvent, position: number): void {
    switch (event.type) {
      case 'response.output_item.added':
        return this.added(event, position);
      case 'response.output_item.done':
        return this.done(event, position);
      case 'response.content_part.added':
        return this.partAdded(event, position, 'message', 'content_index', (open) => open.contentParts);
      case 'response.content_part.done':
        return this.partDone(event, position, 'message', 'content_index', (open) => open.contentParts, 'response.output_text.done');
      case 'response.output_text.delta':
        return this.partDelta(event, position, 'message', 'content_index', (open) => open.contentParts);
      case 'response.output_text.done':
        return this.textDone(event, position, 'message', 'content_index', (open) => open.contentParts);
      case 'response.reasoning_summary_part.added':
        return this.partAdded(event, position, 'reasoning', 'summary_index', (open) => open.summaryParts);
      case 'response.reasoning_summary_part.done':
        return this.partDone(event, position, 'reasoning', 'summary_index', (open) => open.summaryParts, 'response.reasoning_summary_text.done');
      case 'response.reasoning_summary_text.delta':
        return this.partDelta(event, position, 'reasoning', 'summary_index', (open) => open.summaryParts);
      case 'response.reasoning_summary_text.done':
        return this.textDone(event, position, 'reasoning', 'summary_index', (open) => open.summaryParts);
      case 'response.function_call_arguments.delta': {
        const open = this.requireOpen(event, position, 'function_call', true);
        if (open.argumentsDone !== undefined) broken(`${where(position, event)} comes after response.function_call_arguments.done of ${open.id}`);
        open.argumentDeltas += stringField(event, position, 'delta');
        return;
      }
      case 'response.function_call_arguments.done': {
        const open = this.requireOpen(event, position, 'function_call', true);
        const argumentsDone = stringField(event, position, 'arguments');
        if (argumentsDone !== open.argumentDeltas) broken(`${where(position, event)}: arguments ${show(argumentsDone)} are not the joined deltas ${show(open.argumentDeltas)}`);
        open.argumentsDone = argumentsDone;
        return;
      }
      default:
        broken(`${where(position, event)} is not allowed between response.in_progress and the terminal event`);
    }
  }

  /** The stream is over: nothing may be left open. */
  end(terminal: ResponsesEvent, position: number): void {
    if (this.open) broken(`item ${this.open.index} (${this.open.id}) has no response.output_item.done before ${where(position, terminal)}`);
  }

  private added(event: ResponsesEvent, position: number): void {
    const outputIndex = numberField(event, position, 'output_index');
    const item = itemField(event, position);
    if (this.open) broken(`${where(position, event)} at output_index ${outputIndex} while item ${this.open.index} (${this.open.id}) has no response.output_item.done yet: items must not interleave`);
    if (outputIndex !== this.doneItems.length) broken(`${where(position, event)} adds output_index ${outputIndex}; the next one is ${this.doneItems.length}`);
    this.open = { index: outputIndex, id: item.id as string, type: item.type as string, contentParts: new Map(), summaryParts: new Map(), argumentDeltas: '' };
  }

  private done(event: ResponsesEvent, position: number): void {
    const outputIndex = numberField(event, position, 'output_index');
    const item = itemField(event, position);
    const open = this.open ?? broken(`${where(position, event)} at output_index ${outputIndex}, but no item is open`);
    if (outputIndex !== open.index || item.id !== open.id || item.type !== open.type) {
      broken(`${where(position, event)} closes ${show({ outputIndex, id: item.id, type: item.type })}; the open item is ${show({ outputIndex: open.index, id: open.id, type: open.type })}`);
    }
    for (const [name, parts] of [['content part', open.contentParts], ['summary part', open.summaryParts]] as const) {
      for (const [partIndex, part] of parts) if (!part.partDone) broken(`${name} ${partIndex} of ${open.id} has no done event before ${where(position, event)}`);
    }
    if (open.type === 'message') this.checkTexts(event, position, open, 'content', open.contentParts);
    if (open.type === 'reasoning') this.checkTexts(event, position, open, 'summary', open.summaryParts);
    if (open.type === 'function_call') {
      if (open.argumentsDone === undefined) broken(`function call ${open.id} has no response.function_call_arguments.done before ${where(position, event)}`);
      if (item.arguments !== open.argumentDeltas) broken(`${where(position, event)}: item arguments ${show(item.arguments)} are not the joined deltas ${show(open.argumentDeltas)}`);
    }
    this.doneItems.push(item);
    this.open = undefined;
  }

  /** The done item's `content` (message) or `summary` (reasoning) is exactly the streamed parts' texts. */
  private checkTexts(event: ResponsesEvent, position: number, open: OpenItem, field: 'content' | 'summary', parts: Map<number, PartState>): void {
    const item = event.item as ResponseItem;
    const texts = Array.isArray(item[field]) ? (item[field] as unknown[]).map(textOfPart) : broken(`${where(position, event)}: the item has no ${field} array`);
    const streamed = [...parts.values()].map((part) => part.doneText);
    if (!isDeepStrictEqual(texts, streamed)) broken(`${where(position, event)}: the item's ${field} texts ${show(texts)} are not the streamed texts ${show(streamed)} of ${open.id}`);
  }

  private requireOpen(event: ResponsesEvent, position: number, type: string, withItemId: boolean): OpenItem {
    const open = this.open ?? broken(`${where(position, event)} comes while no item is open`);
    if (open.type !== type) broken(`${where(position, event)} belongs to a ${type} item, but the open item ${open.id} is a ${open.type}`);
    if (withItemId && event.item_id !== open.id) broken(`${where(position, event)} has item_id ${show(event.item_id)}; the open item is ${open.id}`);
    if (event.output_index !== open.index) broken(`${where(position, event)} has output_index ${show(event.output_index)}; the open item is at ${open.index}`);
    return open;
  }

  private partAdded(event: ResponsesEvent, position: number, type: string, indexField: string, partsOf: (open: OpenItem) => Map<number, PartState>): void {
    const parts = partsOf(this.requireOpen(event, position, type, true));
    const partIndex = numberField(event, position, indexField);
    if (partIndex !== parts.size) broken(`${where(position, event)} adds ${indexField} ${partIndex}; the next one is ${parts.size}`);
    parts.set(partIndex, { deltas: '', partDone: false });
  }

  private openPart(event: ResponsesEvent, position: number, type: string, indexField: string, partsOf: (open: OpenItem) => Map<number, PartState>): PartState {
    const partIndex = numberField(event, position, indexField);
    const part = partsOf(this.requireOpen(event, position, type, true)).get(partIndex);
    if (!part || part.partDone) broken(`${where(position, event)}: ${indexField} ${partIndex} is not an open part (added and not yet done)`);
    return part as PartState;
  }

  private partDelta(event: ResponsesEvent, position: number, type: string, indexField: string, partsOf: (open: OpenItem) => Map<number, PartState>): void {
    const part = this.openPart(event, position, type, indexField, partsOf);
    if (part.doneText !== undefined) broken(`${where(position, event)} comes after its text's done event`);
    part.deltas += stringField(event, position, 'delta');
  }

  private textDone(event: ResponsesEvent, position: number, type: string, indexField: string, partsOf: (open: OpenItem) => Map<number, PartState>): void {
    const part = this.openPart(event, position, type, indexField, partsOf);
    const text = stringField(event, position, 'text');
    if (part.doneText !== undefined) broken(`${where(position, event)} is the second done event of its text`);
    if (text !== part.deltas) broken(`${where(position, event)}: text ${show(text)} is not the joined deltas ${show(part.deltas)}`);
    part.doneText = text;
  }

  private partDone(event: ResponsesEvent, position: number, type: string, indexField: string, partsOf: (open: OpenItem) => Map<number, PartState>, textDoneType: string): void {
    const part = this.openPart(event, position, type, indexField, partsOf);
    if (part.doneText === undefined) broken(`${where(position, event)} comes before its ${textDoneType}`);
    if (textOfPart(event.part) !== part.doneText) broken(`${where(position, event)}: part text ${show(textOfPart(event.part))} is not the streamed text ${show(part.doneText)}`);
    part.partDone = true;
  }
}

const checkFrame = (events: readonly ResponsesEvent[]): void => {
  if (events.length < 3) broken(`${events.length} events; a stream has at least response.created, response.in_progress and a terminal event`);
  if (events[0].type !== 'response.created') broken(`the first event is ${events[0].type}, not response.created`);
  if (events[1].type !== 'response.in_progress') broken(`the second event is ${events[1].type}, not response.in_progress`);
  const firstTerminal = events.findIndex((event) => event.type in terminalStatus);
  if (firstTerminal === -1) broken(`no terminal event (response.completed, response.incomplete or response.failed); the last is ${events.at(-1)?.type}`);
  if (firstTerminal !== events.length - 1) broken(`${where(firstTerminal, events[firstTerminal])} is followed by ${events.length - 1 - firstTerminal} more events`);
  const failed = events[firstTerminal].type === 'response.failed';
  if (failed && events[firstTerminal - 1].type !== 'error') broken(`response.failed follows ${events[firstTerminal - 1].type}, not error`);
  events.forEach((event, position) => {
    if (event.type === 'error' && !(failed && position === firstTerminal - 1)) broken(`${where(position, event)} is allowed only right before response.failed`);
  });
};

const checkSequence = (events: readonly ResponsesEvent[]): void => {
  events.forEach((event, position) => {
    if (event.sequence_number !== position) broken(`${where(position, event)}: sequence_number should be ${position} (from 0, rising by exactly 1)`);
  });
};

const checkTerminal = (events: readonly ResponsesEvent[], doneItems: readonly ResponseItem[]): void => {
  const position = events.length - 1;
  const terminal = events[position];
  const response = terminal.response as Record<string, unknown> | undefined;
  if (typeof response !== 'object' || response === null) broken(`${where(position, terminal)} carries no response`);
  const { status, output, error } = response as Record<string, unknown>;
  if (status !== terminalStatus[terminal.type]) broken(`${where(position, terminal)} has a response with status ${show(status)}`);
  if (!Array.isArray(output) || output.length !== doneItems.length) {
    broken(`${where(position, terminal)}: response.output has ${Array.isArray(output) ? output.length : 'no'} items; ${doneItems.length} were added`);
  }
  (output as unknown[]).forEach((item, index) => {
    if (!isDeepStrictEqual(item, doneItems[index])) broken(`${where(position, terminal)}: response.output[${index}] ${show(item)} is not its output_item.done item ${show(doneItems[index])}`);
  });
  if (terminal.type === 'response.failed') {
    const errorEvent = events[position - 1];
    const reported = error as { code?: unknown; message?: unknown } | null;
    if (reported?.code !== errorEvent.code || reported?.message !== errorEvent.message) {
      broken(`${where(position, terminal)}: response.error ${show(error)} is not the error event's ${show({ code: errorEvent.code, message: errorEvent.message })}`);
    }
  }
};

/**
 * Throws a `ResponsesGrammarError` unless `events` is a whole, well-formed
 * Responses stream: created, in_progress, output items added and done one at
 * a time in order with their parts and deltas inside them, done texts equal
 * to the joined deltas, and a terminal event whose output is the done items.
 */
export const assertResponsesGrammar = (events: readonly ResponsesEvent[]): void => {
  checkFrame(events);
  checkSequence(events);
  const walk = new ItemWalk();
  const bodyEnd = events.at(-1)?.type === 'response.failed' ? events.length - 2 : events.length - 1;
  for (let position = 2; position < bodyEnd; position += 1) walk.take(events[position], position);
  walk.end(events.at(-1) as ResponsesEvent, events.length - 1);
  checkTerminal(events, walk.doneItems);
};

export const grammarIdentity: ResponseIdentity = { id: 'resp_grammar', createdAt: 0, model: 'm' };

/** A writer for `grammarIdentity` and a plain request (`input: "hi"`) unless given one. */
export const grammarWriter = (request: ResponsesRequest = responsesRequestSchema.parse({ model: 'm', input: 'hi' })): ResponsesEventWriter =>
  new ResponsesEventWriter(grammarIdentity, request);

/** Runs a writer over the parts as the gateway does (the finish part translated, then its reason and usage ending the stream) and returns every event. */
export const collectWriterEvents = async (parts: Iterable<StreamPart> | AsyncIterable<StreamPart>, writer = grammarWriter()): Promise<ResponsesEvent[]> => {
  const events = writer.start();
  let finish: { finishReason?: FinishReason; usage: Usage } = { usage: emptyUsage() };
  for await (const part of parts) {
    events.push(...writer.translate(part));
    if (part.type === 'finish') finish = part;
  }
  events.push(...writer.finish(finish.finishReason, finish.usage).events);
  return events;
};

/** What a client reads from an output item: its kind and what the model said in it. */
export type OutlineItem =
  | { type: 'message'; text: string }
  | { type: 'reasoning'; text: string; signature?: string }
  | { type: 'function_call'; call_id: string; name: string; arguments: string };

/** A response's output items as outlines: message texts and reasoning summaries joined, calls with their arguments. */
export const outlineOf = (output: readonly ResponseItem[]): OutlineItem[] =>
  output.map((item): OutlineItem => {
    if (item.type === 'message') return { type: 'message', text: (item.content as { text: string }[]).map((part) => part.text).join('') };
    if (item.type === 'reasoning') {
      const text = (item.summary as { text: string }[]).map((part) => part.text).join('');
      return { type: 'reasoning', text, ...(item.encrypted_content ? { signature: item.encrypted_content as string } : {}) };
    }
    return { type: 'function_call', call_id: item.call_id as string, name: item.name as string, arguments: item.arguments as string };
  });

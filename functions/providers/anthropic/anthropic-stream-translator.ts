import { UpstreamError } from '../../core/errors.js';
import type { StreamPart } from '../../core/language-model.js';
import type { AnthropicStreamEvent, AnthropicUsage } from './anthropic-api-schemas.js';
import { convertAnthropicUsage, mergeAnthropicUsage } from './convert-anthropic-usage.js';
import { mapAnthropicInBandError } from './map-anthropic-error.js';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.js';

interface ToolBlockState {
  /** The neutral index: order of appearance from 0. */
  toolIndex: number;
  sentArguments: boolean;
}

type EventOf<Type extends AnthropicStreamEvent['type']> = Extract<AnthropicStreamEvent, { type: Type }>;

/**
 * Turns Messages stream events into neutral stream parts, one event at a
 * time, remembering the open tool-use blocks, the usage seen so far (input in
 * `message_start`, output in `message_delta`) and the stop reason.
 */
export class AnthropicStreamTranslator {
  private readonly toolBlocks = new Map<number, ToolBlockState>();
  private nextToolIndex = 0;
  private usage: AnthropicUsage | undefined;
  private stopReason: string | null | undefined;

  /** Whether the upstream has said why the generation ended. */
  get hasFinished(): boolean {
    return this.stopReason !== undefined;
  }

  /** The parts one event stands for; an `error` event is thrown as the matching `UpstreamError`. */
  *translate(event: AnthropicStreamEvent): Generator<StreamPart> {
    switch (event.type) {
      case 'message_start':
        this.usage = mergeAnthropicUsage(this.usage, event.message.usage);
        return;
      case 'content_block_start':
        yield* this.startBlock(event);
        return;
      case 'content_block_delta':
        yield* this.translateDelta(event);
        return;
      case 'content_block_stop':
        yield* this.endToolBlock(event.index);
        return;
      case 'message_delta':
        this.stopReason = event.delta.stop_reason ?? null;
        this.usage = mergeAnthropicUsage(this.usage, event.usage);
        return;
      case 'error':
        throw mapAnthropicInBandError(event.error);
      case 'message_stop':
      case 'ping':
      case 'other':
        return;
    }
  }

  /** The closing parts: ends of tool calls still open, then the one `finish`. */
  *finish(): Generator<StreamPart> {
    if (this.stopReason === undefined) {
      throw new UpstreamError(502, 'Anthropic stream ended before the model finished', { code: 'upstream_stream_incomplete', retryable: true });
    }
    for (const blockIndex of [...this.toolBlocks.keys()]) yield* this.endToolBlock(blockIndex);
    yield { type: 'finish', finishReason: mapAnthropicFinishReason(this.stopReason), usage: convertAnthropicUsage(this.usage) };
  }

  private *startBlock({ index, content_block: block }: EventOf<'content_block_start'>): Generator<StreamPart> {
    switch (block.type) {
      case 'tool_use': {
        const toolIndex = this.nextToolIndex;
        this.nextToolIndex += 1;
        // The start carries `input: {}`; the arguments follow as input_json_delta.
        this.toolBlocks.set(index, { toolIndex, sentArguments: false });
        yield { type: 'tool-call-start', index: toolIndex, id: block.id, name: block.name };
        return;
      }
      case 'text':
        if (block.text) yield { type: 'text-delta', text: block.text };
        return;
      case 'thinking':
        if (block.thinking) yield { type: 'reasoning-delta', text: block.thinking };
        if (block.signature) yield { type: 'reasoning-signature', signature: block.signature };
        return;
      case 'redacted_thinking':
      case 'other':
        // The neutral stream has no part for encrypted reasoning; server-tool blocks are not relayed.
        return;
    }
  }

  private *translateDelta({ index, delta }: EventOf<'content_block_delta'>): Generator<StreamPart> {
    switch (delta.type) {
      case 'text_delta':
        if (delta.text) yield { type: 'text-delta', text: delta.text };
        return;
      case 'thinking_delta':
        if (delta.thinking) yield { type: 'reasoning-delta', text: delta.thinking };
        return;
      case 'signature_delta':
        if (delta.signature) yield { type: 'reasoning-signature', signature: delta.signature };
        return;
      case 'input_json_delta': {
        const toolBlock = this.toolBlocks.get(index);
        if (!toolBlock || !delta.partial_json) return;
        toolBlock.sentArguments = true;
        yield { type: 'tool-call-delta', index: toolBlock.toolIndex, argumentsDelta: delta.partial_json };
        return;
      }
      case 'other':
        return;
    }
  }

  private *endToolBlock(blockIndex: number): Generator<StreamPart> {
    const toolBlock = this.toolBlocks.get(blockIndex);
    if (!toolBlock) return;
    this.toolBlocks.delete(blockIndex);
    // A tool without arguments streams "" (or nothing); clients expect its arguments to parse as JSON.
    if (!toolBlock.sentArguments) yield { type: 'tool-call-delta', index: toolBlock.toolIndex, argumentsDelta: '{}' };
    yield { type: 'tool-call-end', index: toolBlock.toolIndex };
  }
}

import { UpstreamError } from '../../core/errors.js';
import { emptyUsage, type FinishReason, type StreamPart, type Usage } from '../../core/language-model.js';
import { converseStreamEventSchema, type ConverseStreamEvent } from './bedrock-api-schemas.js';
import { convertBedrockUsage } from './convert-bedrock-usage.js';
import { mapBedrockError } from './map-bedrock-error.js';
import { mapBedrockFinishReason } from './map-bedrock-finish-reason.js';

interface ToolBlockState {
  toolIndex: number;
  sentArguments: boolean;
}

interface StreamState {
  /** Open tool-use blocks by Bedrock content block index. */
  toolBlocks: Map<number, ToolBlockState>;
  nextToolIndex: number;
  finishReason: FinishReason | undefined;
  usage: Usage | undefined;
}

const parseEvent = (event: unknown): ConverseStreamEvent => {
  const parsed = converseStreamEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new UpstreamError(502, 'Bedrock sent a stream event the gateway could not read.', {
      code: 'upstream_invalid_response',
      cause: parsed.error,
    });
  }
  return parsed.data;
};

// A tool without arguments streams "" (or nothing); clients expect its arguments to parse as JSON.
const endToolBlock = (block: ToolBlockState): StreamPart[] => [
  ...(block.sentArguments ? [] : [{ type: 'tool-call-delta' as const, index: block.toolIndex, argumentsDelta: '{}' }]),
  { type: 'tool-call-end', index: block.toolIndex },
];

const translateEvent = (event: ConverseStreamEvent, state: StreamState): StreamPart[] => {
  if (event.contentBlockStart?.start?.toolUse) {
    const { toolUseId, name } = event.contentBlockStart.start.toolUse;
    const toolIndex = state.nextToolIndex;
    state.nextToolIndex += 1;
    state.toolBlocks.set(event.contentBlockStart.contentBlockIndex, { toolIndex, sentArguments: false });
    return [{ type: 'tool-call-start', index: toolIndex, id: toolUseId, name }];
  }
  if (event.contentBlockDelta) {
    const { contentBlockIndex, delta } = event.contentBlockDelta;
    const parts: StreamPart[] = [];
    if (delta.text) parts.push({ type: 'text-delta', text: delta.text });
    if (delta.reasoningContent?.text) parts.push({ type: 'reasoning-delta', text: delta.reasoningContent.text });
    if (delta.reasoningContent?.signature) parts.push({ type: 'reasoning-signature', signature: delta.reasoningContent.signature });
    const toolBlock = state.toolBlocks.get(contentBlockIndex);
    if (delta.toolUse?.input && toolBlock) {
      toolBlock.sentArguments = true;
      parts.push({ type: 'tool-call-delta', index: toolBlock.toolIndex, argumentsDelta: delta.toolUse.input });
    }
    return parts;
  }
  if (event.contentBlockStop) {
    const toolBlock = state.toolBlocks.get(event.contentBlockStop.contentBlockIndex);
    if (!toolBlock) return [];
    state.toolBlocks.delete(event.contentBlockStop.contentBlockIndex);
    return endToolBlock(toolBlock);
  }
  if (event.messageStop) state.finishReason = mapBedrockFinishReason(event.messageStop.stopReason);
  if (event.metadata?.usage) state.usage = convertBedrockUsage(event.metadata.usage);
  return [];
};

/**
 * Translates ConverseStream events into stream parts. Usage arrives in the
 * metadata event, which may come after messageStop, so the single `finish`
 * part is emitted once the event stream has ended.
 */
export async function* convertBedrockStream(events: AsyncIterable<unknown>, abortSignal?: AbortSignal): AsyncGenerator<StreamPart> {
  const state: StreamState = { toolBlocks: new Map(), nextToolIndex: 0, finishReason: undefined, usage: undefined };
  try {
    for await (const event of events) {
      yield* translateEvent(parseEvent(event), state);
    }
  } catch (error) {
    throw mapBedrockError(error, abortSignal);
  }
  if (state.finishReason === undefined) {
    throw new UpstreamError(502, 'The Bedrock stream ended before the model finished.', { code: 'upstream_incomplete_stream' });
  }
  for (const toolBlock of state.toolBlocks.values()) yield* endToolBlock(toolBlock);
  yield { type: 'finish', finishReason: state.finishReason, usage: state.usage ?? emptyUsage() };
}

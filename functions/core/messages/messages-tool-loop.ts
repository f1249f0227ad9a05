import { addUsage, type MessagesStreamEvent, type StreamPart, type Usage } from '../language-model.js';
import { costOf } from '../pricing.js';
import type { ChatCompletionsDependencies } from '../chat/completion-context.js';
import type { ExecutedToolCall } from '../chat/mcp-chat-tools.js';
import { generateRounds, startStreamedRounds, type ToolLoop } from '../chat/tool-rounds.js';
import { MessagesEventTranslator } from './messages-events.js';
import { toMessage, toolInputOf, type MessageIdentity } from './messages-response.js';

/**
 * Messages requests with `mcp_servers`: the gateway runs the MCP tools the
 * model calls, with chat's tool loop (rounds, holds per round, the round cap),
 * over the neutral contract on every upstream. The calls and results show as
 * the MCP connector's `mcp_tool_use` and `mcp_tool_result` blocks, before the
 * final round's content; usage covers every round.
 */

/** The connector's blocks for one call the gateway ran; `name` is the tool as the model called it (`<server>__<tool>`). */
export const mcpBlocksOf = (call: ExecutedToolCall): Record<string, unknown>[] => [
  { type: 'mcp_tool_use', id: call.id, name: call.name, server_name: call.server, input: toolInputOf(call.arguments) },
  { type: 'mcp_tool_result', tool_use_id: call.id, is_error: call.is_error, content: [{ type: 'text', text: call.output }] },
];

const minus = (total: Usage, part: Usage): Usage => ({
  inputTokens: Math.max(0, total.inputTokens - part.inputTokens),
  outputTokens: Math.max(0, total.outputTokens - part.outputTokens),
  cacheReadTokens: Math.max(0, total.cacheReadTokens - part.cacheReadTokens),
  cacheWriteTokens: Math.max(0, total.cacheWriteTokens - part.cacheWriteTokens),
});

/** The cost of a loop whose whole usage is `total`: earlier rounds as they were priced, the last at its deployment's price. */
export const loopCostOf = (loop: ToolLoop, total: Usage): number => loop.priorCostUsd + costOf(minus(total, loop.priorUsage), loop.deployment.config.price);

export const generateLoopMessage = async (identity: MessageIdentity, loop: ToolLoop, dependencies: ChatCompletionsDependencies, clientSignal: AbortSignal | undefined) => {
  const final = await generateRounds(loop, dependencies, clientSignal);
  const usage = addUsage(loop.priorUsage, final.usage);
  const message = toMessage(identity, { ...final, usage });
  message.content = [...loop.executedToolCalls.flatMap(mcpBlocksOf), ...(message.content as unknown[])];
  return { message, usage, costUsd: loop.priorCostUsd + costOf(final.usage, loop.deployment.config.price) };
};

async function* loopEvents(identity: MessageIdentity, parts: AsyncIterator<StreamPart>, loop: ToolLoop): AsyncGenerator<MessagesStreamEvent> {
  const translator = new MessagesEventTranslator(identity);
  yield* translator.start();
  let shown = 0;
  try {
    for (let next = await parts.next(); !next.done; next = await parts.next()) {
      // Calls the loop ran since the last part: shown before what the model said after them.
      const ran = loop.executedToolCalls.slice(shown);
      shown = loop.executedToolCalls.length;
      if (ran.length > 0) yield* translator.whole(ran.flatMap(mcpBlocksOf));
      const part = next.value;
      yield* translator.translate(part.type === 'finish' ? { ...part, usage: addUsage(loop.priorUsage, part.usage) } : part);
    }
  } finally {
    await parts.return?.();
  }
}

/** Starts the loop's stream; resolves once the first round's first part has arrived, so the router may still retry. */
export const openLoopStream = async (identity: MessageIdentity, loop: ToolLoop, dependencies: ChatCompletionsDependencies, signal: AbortSignal): Promise<AsyncIterator<MessagesStreamEvent>> =>
  loopEvents(identity, await startStreamedRounds(loop, dependencies, signal), loop);

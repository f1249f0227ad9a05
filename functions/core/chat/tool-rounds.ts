import type { AssistantContentPart, ModelRequest, ModelResult, StreamPart, ToolCallPart } from '../language-model.js';
import { prepend } from '../stream-iterators.js';
import { addUsage } from '../language-model.js';
import { reservationFor } from '../limits/worst-case-cost.js';
import { costOf } from '../pricing.js';
import type { ChatCompletionsDependencies, CompletionContext } from './completion-context.js';
import { executeMcpCalls, type ChatMcpTools } from './mcp-chat-tools.js';

/**
 * The automatic MCP tool loop. Each round asks the model; when it calls only
 * MCP tools the gateway runs them, appends the results and asks again, up to
 * `settings.mcp_max_tool_rounds` rounds (the last one with tool_choice none,
 * so the model must answer). Client function calls end the loop and go back to
 * the client, with any MCP calls of the same turn already run. Each extra round
 * reserves its own worst case before it starts; usage and cost add up across
 * rounds in `completion.prior*`.
 */

/** What a tool loop reads and updates: a chat completion, or a Messages request with MCP servers. */
export type ToolLoop = Pick<
  CompletionContext,
  'deployment' | 'servedModel' | 'modelRequest' | 'admission' | 'candidates' | 'mcpTools' | 'executedToolCalls' | 'priorUsage' | 'priorCostUsd'
> & {
  /** The model name the client asked for, which the router routes. */
  model: string;
};

const isMcpCall = (tools: ChatMcpTools, part: AssistantContentPart): part is ToolCallPart => part.type === 'tool-call' && tools.byName.has(part.name);

/** The request for round `round` (1-based) of a tool loop; unchanged without gateway-run tools. */
export const roundRequest = (request: ModelRequest, round: number, maxRounds: number, tools: ChatMcpTools | undefined): ModelRequest => {
  if (!tools) return request;
  if (round >= maxRounds) return { ...request, toolChoice: 'none' };
  // A required or named first call has happened; later rounds let the model choose.
  if (round > 1 && request.toolChoice !== undefined && request.toolChoice !== 'none') return { ...request, toolChoice: 'auto' };
  return request;
};

/** Records a finished intermediate round and returns the request for the next one, its worst case reserved. */
const nextRound = async (
  completion: ToolLoop,
  dependencies: ChatCompletionsDependencies,
  request: ModelRequest,
  assistantContent: AssistantContentPart[],
  calls: ToolCallPart[],
  tools: ChatMcpTools,
  abortSignal: AbortSignal | undefined,
): Promise<ModelRequest> => {
  const { messages, executed } = await executeMcpCalls(calls, tools, dependencies.mcp, abortSignal);
  completion.executedToolCalls.push(...executed);
  const next = { ...request, messages: [...request.messages, { role: 'assistant' as const, content: assistantContent }, ...messages] };
  await completion.admission.extend(reservationFor(next, completion.candidates.map((candidate) => candidate.config.price)).reserveUsd);
  return next;
};

const addPrior = (completion: ToolLoop, result: Pick<ModelResult, 'usage'>) => {
  completion.priorUsage = addUsage(completion.priorUsage, result.usage);
  completion.priorCostUsd += costOf(result.usage, completion.deployment.config.price);
};

/** Non-streamed rounds: the final round's result (its own usage; earlier rounds are in `completion.prior*`). */
export const generateRounds = async (completion: ToolLoop, dependencies: ChatCompletionsDependencies, clientSignal?: AbortSignal): Promise<ModelResult> => {
  const tools = completion.mcpTools;
  const maxRounds = tools ? dependencies.config.settings.mcp_max_tool_rounds : 1;
  let request = completion.modelRequest;
  for (let round = 1; ; round += 1) {
    const routed = await dependencies.router.run(
      completion.model,
      (deployment, signal) => deployment.model.generate(roundRequest(request, round, maxRounds, tools), { abortSignal: signal }),
      clientSignal,
    );
    completion.deployment = routed.deployment;
    completion.servedModel = routed.modelName;
    const result = routed.value;
    const mcpCalls = tools ? result.content.filter((part) => isMcpCall(tools, part)) : [];
    if (!tools || mcpCalls.length === 0 || round >= maxRounds) return result;
    const clientContent = result.content.filter((part): boolean => !isMcpCall(tools, part));
    if (clientContent.some((part) => part.type === 'tool-call')) {
      const { executed } = await executeMcpCalls(mcpCalls, tools, dependencies.mcp, clientSignal);
      completion.executedToolCalls.push(...executed);
      return { ...result, content: clientContent };
    }
    addPrior(completion, result);
    request = await nextRound(completion, dependencies, request, result.content, mcpCalls, tools, clientSignal);
  }
};

/** Something that starts a round's stream: the router's pick, first part already read. */
export type StartRound = (request: ModelRequest) => Promise<AsyncIterator<StreamPart>>;

/**
 * Streamed rounds: passes text, reasoning and client tool calls through as they
 * come (client tool calls renumbered from 0 across rounds), holds MCP calls
 * back, runs them between rounds, and ends with the final round's finish part.
 */
export async function* streamRounds(
  first: AsyncIterator<StreamPart>,
  startRound: StartRound,
  completion: ToolLoop,
  dependencies: ChatCompletionsDependencies,
  abortSignal: AbortSignal,
): AsyncGenerator<StreamPart> {
  const tools = completion.mcpTools!;
  const maxRounds = dependencies.config.settings.mcp_max_tool_rounds;
  let request = completion.modelRequest;
  let iterator = first;
  let clientCallCount = 0;
  for (let round = 1; ; round += 1) {
    const held = new Map<number, { id: string; name: string; arguments: string }>();
    const clientIndexOf = new Map<number, number>();
    const text: string[] = [];
    let finish: Extract<StreamPart, { type: 'finish' }> | undefined;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const part = next.value;
      if (part.type === 'finish') finish = part;
      else if (part.type === 'tool-call-start' && tools.byName.has(part.name)) held.set(part.index, { id: part.id, name: part.name, arguments: '' });
      else if (part.type === 'tool-call-delta' && held.has(part.index)) held.get(part.index)!.arguments += part.argumentsDelta;
      else if (part.type === 'tool-call-end' && held.has(part.index)) continue;
      else if (part.type === 'tool-call-start' || part.type === 'tool-call-delta' || part.type === 'tool-call-end') {
        if (!clientIndexOf.has(part.index)) clientIndexOf.set(part.index, clientCallCount++);
        yield { ...part, index: clientIndexOf.get(part.index)! };
      } else {
        if (part.type === 'text-delta') text.push(part.text);
        yield part;
      }
    }
    if (!finish) return;
    const calls: ToolCallPart[] = [...held.values()].map((call) => ({ type: 'tool-call', ...call }));
    if (calls.length === 0 || round >= maxRounds) return yield finish;
    if (clientIndexOf.size > 0) {
      const { executed } = await executeMcpCalls(calls, tools, dependencies.mcp, abortSignal);
      completion.executedToolCalls.push(...executed);
      return yield finish;
    }
    addPrior(completion, finish);
    const assistantContent: AssistantContentPart[] = [...(text.length > 0 ? [{ type: 'text' as const, text: text.join('') }] : []), ...calls];
    request = await nextRound(completion, dependencies, request, assistantContent, calls, tools, abortSignal);
    iterator = await startRound(roundRequest(request, round + 1, maxRounds, tools));
  }
}

/**
 * Starts a loop's streamed rounds on the router (each round resolves once
 * its first part has arrived, so retries stay invisible) and returns its
 * parts; without MCP tools, the one round's parts.
 */
export const startStreamedRounds = async (loop: ToolLoop, dependencies: ChatCompletionsDependencies, signal: AbortSignal): Promise<AsyncIterator<StreamPart>> => {
  const maxRounds = loop.mcpTools ? dependencies.config.settings.mcp_max_tool_rounds : 1;
  const startRound: StartRound = async (request) => {
    const routed = await dependencies.router.run(
      loop.model,
      async (deployment, attemptSignal) => {
        const iterator = (await deployment.model.stream(request, { abortSignal: attemptSignal }))[Symbol.asyncIterator]();
        return prepend(await iterator.next(), iterator);
      },
      signal,
    );
    loop.deployment = routed.deployment;
    loop.servedModel = routed.modelName;
    return routed.value;
  };
  const first = await startRound(roundRequest(loop.modelRequest, 1, maxRounds, loop.mcpTools));
  return loop.mcpTools ? streamRounds(first, startRound, loop, dependencies, signal) : first;
};

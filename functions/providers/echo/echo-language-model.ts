import type {
  AssistantContentPart,
  FinishReason,
  LanguageModel,
  ModelMessage,
  ModelRequest,
  ModelResult,
  StreamPart,
  Usage,
} from '../../core/language-model.js';
import { countTokens, tokenize } from './echo-tokens.js';

/** Tokens a message costs beyond its text, like real chat templates. */
const perMessageOverhead = 3;

const textOfMessage = (message: ModelMessage): string => {
  if (message.role === 'system' || message.role === 'tool') return message.content;
  return message.content.map((part) => (part.type === 'text' ? part.text : part.type === 'tool-call' ? part.arguments : '')).join('');
};

/** `model: prompt` makes echo answer with the whole prompt it received, so what the gateway sends (injected context) can be seen. */
export const promptModelId = 'prompt';

interface EchoAnswer {
  text: string;
  toolCall?: { name: string; arguments: string };
}

/**
 * What echo says: the tool result after a tool message; a call of the named
 * (or first) tool when a tool call is required, with the user's text as
 * arguments (as-is when it is a JSON object); otherwise the last user message.
 */
const answerFor = (request: ModelRequest, showPrompt: boolean): EchoAnswer => {
  if (showPrompt) return { text: request.messages.map((message) => `${message.role}: ${textOfMessage(message)}`).join('\n\n') };
  const last = request.messages[request.messages.length - 1];
  if (last?.role === 'tool') {
    const results = [];
    for (let index = request.messages.length - 1; index >= 0 && request.messages[index].role === 'tool'; index -= 1) {
      results.unshift(textOfMessage(request.messages[index]));
    }
    return { text: results.join('\n') };
  }
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
  const text = lastUser ? textOfMessage(lastUser) : '';
  const choice = request.toolChoice;
  if (request.tools?.length && (choice === 'required' || (typeof choice === 'object' && choice !== null))) {
    const name = typeof choice === 'object' ? choice.name : request.tools[0].name;
    return { text: '', toolCall: { name, arguments: asJsonObject(text) } };
  }
  return { text };
};

const asJsonObject = (text: string): string => {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return JSON.stringify(parsed);
  } catch {
    // not JSON: wrap it below
  }
  return JSON.stringify({ input: text });
};

interface EchoPlan {
  pieces: string[];
  toolCall?: { id: string; name: string; arguments: string };
  finishReason: FinishReason;
  usage: Usage;
}

/**
 * `echo`: a deterministic development model that answers with the last user
 * message, chunk by chunk, with token counts. Never used as a fallback.
 */
export class EchoLanguageModel implements LanguageModel {
  readonly provider = 'echo';

  constructor(
    readonly modelId: string = 'echo',
    private readonly chunkDelayMs = 0,
  ) {}

  async generate(request: ModelRequest): Promise<ModelResult> {
    const plan = this.plan(request);
    const content: AssistantContentPart[] = [];
    if (plan.pieces.length > 0) content.push({ type: 'text', text: plan.pieces.join('') });
    if (plan.toolCall) content.push({ type: 'tool-call', ...plan.toolCall });
    return { content, finishReason: plan.finishReason, usage: plan.usage };
  }

  async stream(request: ModelRequest, options: { abortSignal?: AbortSignal } = {}): Promise<AsyncIterable<StreamPart>> {
    const plan = this.plan(request);
    const delay = this.chunkDelayMs;
    const signal = options.abortSignal;
    return (async function* () {
      for (const piece of plan.pieces) {
        if (delay > 0) await sleep(delay, signal);
        signal?.throwIfAborted();
        yield { type: 'text-delta', text: piece } satisfies StreamPart;
      }
      if (plan.toolCall) {
        yield { type: 'tool-call-start', index: 0, id: plan.toolCall.id, name: plan.toolCall.name } satisfies StreamPart;
        yield { type: 'tool-call-delta', index: 0, argumentsDelta: plan.toolCall.arguments } satisfies StreamPart;
        yield { type: 'tool-call-end', index: 0 } satisfies StreamPart;
      }
      yield { type: 'finish', finishReason: plan.finishReason, usage: plan.usage } satisfies StreamPart;
    })();
  }

  private plan(request: ModelRequest): EchoPlan {
    const answer = answerFor(request, this.modelId === promptModelId);
    let pieces = tokenize(answer.text);
    let finishReason: FinishReason = answer.toolCall ? 'tool_calls' : 'stop';
    const stopAt = firstStop(pieces.join(''), request.stop);
    if (stopAt !== undefined) pieces = tokenize(pieces.join('').slice(0, stopAt));
    const toolTokens = answer.toolCall ? countTokens(answer.toolCall.arguments) : 0;
    if (request.maxOutputTokens !== undefined && pieces.length + toolTokens > request.maxOutputTokens) {
      pieces = pieces.slice(0, request.maxOutputTokens);
      finishReason = 'length';
      answer.toolCall = undefined;
    }
    const inputTokens = request.messages.reduce((sum, message) => sum + countTokens(textOfMessage(message)) + perMessageOverhead, 0);
    const outputTokens = pieces.length + (answer.toolCall ? toolTokens : 0);
    return {
      pieces,
      toolCall: answer.toolCall ? { id: `call_echo_${outputTokens}_${inputTokens}`, ...answer.toolCall } : undefined,
      finishReason,
      usage: { inputTokens, outputTokens, cacheReadTokens: 0, cacheWriteTokens: 0 },
    };
  }
}

const firstStop = (text: string, stops: string[] | undefined): number | undefined => {
  const positions = (stops ?? []).map((stop) => text.indexOf(stop)).filter((position) => position >= 0);
  return positions.length > 0 ? Math.min(...positions) : undefined;
};

const sleep = (milliseconds: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, milliseconds);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });

import { randomUUID } from 'node:crypto';
import {
  acceptedContent,
  CLIENT_CAPABILITIES_META_KEY,
  inputRequired,
  type CallToolResult,
  type ClientCapabilities,
  type GetPromptResult,
  type InputRequests,
  type InputRequiredResult,
  type McpServer,
  type RequestStateCodec,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';

/** The state this fixture round-trips through the client: which tool minted it, and how far a multi-round flow got. */
export interface FixtureRequestState {
  tool: string;
  nonce: string;
  round?: number;
  name?: string;
}

type ToolOutcome = Promise<CallToolResult | InputRequiredResult>;

const noArguments = z.object({});

const textResult = (text: string): CallToolResult => ({ content: [{ type: 'text', text }] });

const askForString = (message: string, field: string) =>
  inputRequired.elicit({ message, requestedSchema: { type: 'object', properties: { [field]: { type: 'string' } }, required: [field] } });

const askForConfirmation = () =>
  inputRequired.elicit({ message: 'Please confirm', requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } });

const askForCompletion = (text: string, maxTokens: number) => inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text } }], maxTokens });

/**
 * The multi-round-trip tools of the `input-required-result-*` scenarios
 * (2026-07-28, SEP-2322). Each returns `inputRequired(...)` until the retried
 * request carries what it asked for. State that must survive a round is
 * minted with the SDK's HMAC codec; the server's `requestState.verify` hook
 * (the codec's `verify`) rejects tampered state with -32602 before a handler
 * runs, so handlers only ever see verified state.
 */
export const registerInputRequiredTools = (server: McpServer, codec: RequestStateCodec<FixtureRequestState>): void => {
  const mint = (tool: string, extra: Partial<FixtureRequestState> = {}) => codec.mint({ tool, nonce: randomUUID(), ...extra });
  const tool = (name: string, description: string, handler: (context: ServerContext) => ToolOutcome) =>
    server.registerTool(name, { description, inputSchema: noArguments }, async (_args, context) => handler(context));

  // Also the tool of the missing-input-response, result-type, ignore-extra-params and validate-input scenarios:
  // anything but an accepted `user_name` answer re-asks for it.
  tool('test_input_required_result_elicitation', 'Asks for the caller name', async (context) => {
    const name = acceptedContent<{ name: string }>(context.mcpReq.inputResponses, 'user_name')?.name;
    if (typeof name !== 'string') return inputRequired({ inputRequests: { user_name: askForString('What is your name?', 'name') } });
    return textResult(`Hello, ${name}!`);
  });

  tool('test_input_required_result_sampling', 'Asks for an LLM completion', async (context) => {
    const answer = context.mcpReq.inputResponses?.['capital_question'] as { content?: { text?: unknown } } | undefined;
    if (answer === undefined) return inputRequired({ inputRequests: { capital_question: askForCompletion('What is the capital of France?', 100) } });
    return textResult(`Sampling response: ${typeof answer.content?.text === 'string' ? answer.content.text : JSON.stringify(answer)}`);
  });

  tool('test_input_required_result_list_roots', 'Asks for the client roots', async (context) => {
    const roots = (context.mcpReq.inputResponses?.['client_roots'] as { roots?: Array<{ uri?: string }> } | undefined)?.roots;
    if (!Array.isArray(roots)) return inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } });
    return textResult(`Client exposed ${roots.length} root(s): ${roots.map((root) => root.uri).join(', ')}`);
  });

  tool('test_input_required_result_request_state', 'Round-trips signed requestState', async (context) => {
    const confirmation = acceptedContent(context.mcpReq.inputResponses, 'confirm');
    const state = context.mcpReq.requestState<FixtureRequestState>();
    if (confirmation === undefined || state?.tool !== 'request_state') {
      return inputRequired({ inputRequests: { confirm: askForConfirmation() }, requestState: await mint('request_state') });
    }
    return textResult('state-ok: requestState verified and confirmation received');
  });

  tool('test_input_required_result_multiple_inputs', 'Asks for three kinds of input at once', async (context) => {
    const responses = context.mcpReq.inputResponses;
    const name = acceptedContent<{ name: string }>(responses, 'user_name')?.name;
    const greeting = (responses?.['greeting'] as { content?: { text?: unknown } } | undefined)?.content?.text;
    const roots = (responses?.['client_roots'] as { roots?: unknown[] } | undefined)?.roots;
    if (typeof name !== 'string' || typeof greeting !== 'string' || !Array.isArray(roots)) {
      return inputRequired({
        inputRequests: {
          user_name: askForString('What is your name?', 'name'),
          greeting: askForCompletion('Generate a greeting', 50),
          client_roots: inputRequired.listRoots(),
        },
        requestState: await mint('multiple_inputs'),
      });
    }
    return textResult(`${greeting} ${name}, ${roots.length} root(s) visible`);
  });

  // The round number lives in the signed state: the 2026-07-28 path keeps nothing between requests.
  tool('test_input_required_result_multi_round', 'Two elicitation rounds, then a result', async (context) => {
    const state = context.mcpReq.requestState<FixtureRequestState>();
    const round = state?.tool === 'multi_round' ? (state.round ?? 0) : 0;
    if (round === 0) return inputRequired({ inputRequests: { step1: askForString('Step 1: What is your name?', 'name') }, requestState: await mint('multi_round', { round: 1 }) });
    if (round === 1) {
      const name = acceptedContent<{ name: string }>(context.mcpReq.inputResponses, 'step1')?.name ?? 'unknown';
      return inputRequired({
        inputRequests: { step2: askForString('Step 2: What is your favorite color?', 'color') },
        requestState: await mint('multi_round', { round: 2, name }),
      });
    }
    const color = acceptedContent<{ color: string }>(context.mcpReq.inputResponses, 'step2')?.color ?? 'unknown';
    return textResult(`Multi-round complete: ${state?.name ?? 'unknown'} likes ${color}`);
  });

  tool('test_input_required_result_tampered_state', 'Rejects tampered requestState', async (context) => {
    if (context.mcpReq.requestState() !== undefined && acceptedContent(context.mcpReq.inputResponses, 'confirm') !== undefined) {
      return textResult('integrity-ok: requestState verified');
    }
    return inputRequired({ inputRequests: { confirm: askForConfirmation() }, requestState: await mint('tampered_state') });
  });

  // Asks only for what the request's declared client capabilities cover (the SDK's seam enforces the same rule with -32021).
  tool('test_input_required_result_capabilities', 'Asks only for declared input kinds', async (context) => {
    if (context.mcpReq.inputResponses !== undefined) return textResult('Capability-aware input requests fulfilled');
    // The SDK 2.4.0 typings declare the envelope as `{}`, so the key it documents is read through a cast.
    const envelope = context.mcpReq.envelope as { [CLIENT_CAPABILITIES_META_KEY]?: ClientCapabilities } | undefined;
    const declared = envelope?.[CLIENT_CAPABILITIES_META_KEY];
    const inputRequests: InputRequests = {};
    if (declared?.elicitation !== undefined) inputRequests.user_name = askForString('What is your name?', 'name');
    if (declared?.sampling !== undefined) inputRequests.greeting = askForCompletion('Generate a short greeting', 50);
    if (declared?.roots !== undefined) inputRequests.client_roots = inputRequired.listRoots();
    if (Object.keys(inputRequests).length === 0) return textResult('No declared client capability supports an input request');
    return inputRequired({ inputRequests });
  });
};

/** `input-required-result-non-tool-request`: prompts/get can ask for input too. */
export const registerInputRequiredPrompt = (server: McpServer): void => {
  server.registerPrompt('test_input_required_result_prompt', { title: 'MRTR Prompt', description: 'Needs context from the user before it renders' }, async (context) => {
    // A prompt without arguments gets the request context as its only argument; the overloads do not say so.
    const promptContext = acceptedContent<{ context: string }>((context as unknown as ServerContext).mcpReq.inputResponses, 'user_context')?.context;
    if (typeof promptContext !== 'string') {
      return inputRequired({ inputRequests: { user_context: askForString('What context should the prompt use?', 'context') } }) as unknown as GetPromptResult;
    }
    return { messages: [{ role: 'user', content: { type: 'text', text: `Use the following context: ${promptContext}` } }] };
  });
};

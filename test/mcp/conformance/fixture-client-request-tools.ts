import {
  inputRequired,
  type CallToolResult,
  type ElicitInputParams,
  type InputRequiredResult,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';

/**
 * Tools that ask the client for something: sampling and elicitation
 * (`tools-call-sampling`, `tools-call-elicitation`,
 * `elicitation-sep1034-defaults`, `elicitation-sep1330-enums`, all
 * 2025-11-25). Each is written once in the 2026-07-28 style, returning
 * `inputRequired(...)` until the retried call carries the answer; on a
 * 2025-era session the SDK's legacy shim fulfils the input request itself
 * with a real server-to-client `sampling/createMessage` or
 * `elicitation/create` and re-enters the handler with the response.
 */
export const registerClientRequestTools = (server: McpServer): void => {
  server.registerTool(
    'test_sampling',
    { description: 'Asks the client for an LLM completion', inputSchema: z.object({ prompt: z.string().describe('The prompt to send to the LLM') }) },
    async ({ prompt }, context): Promise<CallToolResult | InputRequiredResult> => {
      const completion = context.mcpReq.inputResponses?.['completion'] as { content?: { text?: unknown } } | undefined;
      if (completion === undefined) {
        return inputRequired({
          inputRequests: { completion: inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 }) },
        });
      }
      const text = typeof completion.content?.text === 'string' ? completion.content.text : JSON.stringify(completion);
      return { content: [{ type: 'text', text: `LLM response: ${text}` }] };
    },
  );

  server.registerTool(
    'test_elicitation',
    { description: 'Asks the user for a response', inputSchema: z.object({ message: z.string().describe('The message to show the user') }) },
    async ({ message }, context) =>
      elicitOnce(context, {
        message,
        requestedSchema: {
          type: 'object',
          properties: { username: { type: 'string', description: "User's response" }, email: { type: 'string', description: "User's email address" } },
          required: ['username', 'email'],
        },
      }),
  );

  registerFormTool(server, 'test_elicitation_sep1034_defaults', 'Elicits a form with a default for every primitive type (SEP-1034)', {
    message: 'Please review and update the form fields with defaults',
    requestedSchema: {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'User name', default: 'John Doe' },
        age: { type: 'integer', description: 'User age', default: 30 },
        score: { type: 'number', description: 'User score', default: 95.5 },
        status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
        verified: { type: 'boolean', description: 'Verification status', default: true },
      },
      required: [],
    },
  });

  registerFormTool(server, 'test_elicitation_sep1330_enums', 'Elicits a form with all five enum shapes (SEP-1330)', {
    message: 'Please select options from the enum fields',
    requestedSchema: {
      type: 'object',
      properties: {
        untitledSingle: { type: 'string', description: 'Select one option', enum: ['option1', 'option2', 'option3'] },
        titledSingle: {
          type: 'string',
          description: 'Select one option with titles',
          oneOf: [
            { const: 'value1', title: 'First Option' },
            { const: 'value2', title: 'Second Option' },
            { const: 'value3', title: 'Third Option' },
          ],
        },
        legacyEnum: {
          type: 'string',
          description: 'Select one option (legacy)',
          enum: ['opt1', 'opt2', 'opt3'],
          enumNames: ['Option One', 'Option Two', 'Option Three'],
        },
        untitledMulti: {
          type: 'array',
          description: 'Select multiple options',
          minItems: 1,
          maxItems: 3,
          items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
        },
        titledMulti: {
          type: 'array',
          description: 'Select multiple options with titles',
          minItems: 1,
          maxItems: 3,
          items: {
            anyOf: [
              { const: 'value1', title: 'First Choice' },
              { const: 'value2', title: 'Second Choice' },
              { const: 'value3', title: 'Third Choice' },
            ],
          },
        },
      },
      required: [],
    },
  });
};

/** Elicits `form` once, then reports the user's action and content. */
const elicitOnce = async (context: ServerContext, form: ElicitInputParams): Promise<CallToolResult | InputRequiredResult> => {
  const answer = context.mcpReq.inputResponses?.['form'] as { action?: string; content?: unknown } | undefined;
  if (answer === undefined) return inputRequired({ inputRequests: { form: inputRequired.elicit(form) } });
  return { content: [{ type: 'text', text: `Elicitation completed: action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}` }] };
};

/** A tool without arguments that elicits one fixed form. */
const registerFormTool = (server: McpServer, name: string, description: string, form: ElicitInputParams): void => {
  server.registerTool(name, { description, inputSchema: z.object({}) }, async (_args, context) => elicitOnce(context, form));
};

import { completable, ResourceTemplate, type McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import {
  completionCandidates,
  promptEmbeddedResourceText,
  simplePromptText,
  staticTextResourceText,
  testImageBase64,
  watchedResourceText,
} from './fixture-content.js';

/**
 * The resources of the `resources-*` scenarios: two static ones, a template,
 * and one to subscribe to (2025-11-25; 2026-07-28 replaces
 * resources/subscribe with subscriptions/listen, which the SDK's handler
 * serves itself). An unknown URI is answered by the SDK with -32602 and the
 * URI in `data` (`sep-2164-resource-not-found`).
 */
export const registerResources = (server: McpServer, subscriptions: Set<string>): void => {
  server.registerResource(
    'static-text',
    'test://static-text',
    { title: 'Static Text Resource', description: 'A static text resource', mimeType: 'text/plain' },
    async () => ({ contents: [{ uri: 'test://static-text', mimeType: 'text/plain', text: staticTextResourceText }] }),
  );

  server.registerResource(
    'static-binary',
    'test://static-binary',
    { title: 'Static Binary Resource', description: 'A static PNG image', mimeType: 'image/png' },
    async () => ({ contents: [{ uri: 'test://static-binary', mimeType: 'image/png', blob: testImageBase64 }] }),
  );

  server.registerResource(
    'template',
    new ResourceTemplate('test://template/{id}/data', { list: undefined }),
    { title: 'Resource Template', description: 'Data for an id substituted into the URI', mimeType: 'application/json' },
    async (uri, variables) => ({
      contents: [{ uri: uri.toString(), mimeType: 'application/json', text: JSON.stringify({ id: variables.id, templateTest: true, data: `Data for ID: ${variables.id}` }) }],
    }),
  );

  server.registerResource(
    'watched-resource',
    'test://watched-resource',
    { title: 'Watched Resource', description: 'A resource to subscribe to', mimeType: 'text/plain' },
    async () => ({ contents: [{ uri: 'test://watched-resource', mimeType: 'text/plain', text: watchedResourceText }] }),
  );

  server.server.setRequestHandler('resources/subscribe', async (request) => {
    subscriptions.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler('resources/unsubscribe', async (request) => {
    subscriptions.delete(request.params.uri);
    return {};
  });
};

const completeArgument = (value: string) => completionCandidates.filter((candidate) => candidate.startsWith(value));

/** The prompts of the `prompts-*` scenarios; `test_prompt_with_arguments` also answers `completion-complete`. */
export const registerPrompts = (server: McpServer): void => {
  server.registerPrompt('test_simple_prompt', { title: 'Simple Test Prompt', description: 'A prompt without arguments' }, async () => ({
    messages: [{ role: 'user', content: { type: 'text', text: simplePromptText } }],
  }));

  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      title: 'Prompt With Arguments',
      description: 'A prompt with two required arguments',
      argsSchema: z.object({
        arg1: completable(z.string().describe('First test argument'), completeArgument),
        arg2: completable(z.string().describe('Second test argument'), completeArgument),
      }),
    },
    async ({ arg1, arg2 }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } }] }),
  );

  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    {
      title: 'Prompt With Embedded Resource',
      description: 'A prompt that embeds a resource',
      argsSchema: z.object({ resourceUri: z.string().describe('URI of the resource to embed') }),
    },
    async ({ resourceUri }) => ({
      messages: [
        { role: 'user', content: { type: 'resource', resource: { uri: resourceUri, mimeType: 'text/plain', text: promptEmbeddedResourceText } } },
        { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
      ],
    }),
  );

  server.registerPrompt('test_prompt_with_image', { title: 'Prompt With Image', description: 'A prompt that includes an image' }, async () => ({
    messages: [
      { role: 'user', content: { type: 'image', data: testImageBase64, mimeType: 'image/png' } },
      { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
    ],
  }));
};

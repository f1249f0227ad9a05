import type { ModelRequest, Usage } from '../language-model.js';

/** Roughly four characters a token for English text, the usual rule of thumb. */
const charactersPerToken = 4;

const tokensIn = (characters: number) => Math.ceil(characters / charactersPerToken);

/** Characters of text a request sends (images not counted). */
export const promptCharacters = (request: ModelRequest): number =>
  request.messages.reduce((sum, message) => {
    if (message.role === 'system' || message.role === 'tool') return sum + message.content.length;
    return sum + message.content.reduce((partSum, part) => partSum + ('text' in part ? part.text.length : 0) + (part.type === 'tool-call' ? part.arguments.length : 0), 0);
  }, 0);

/**
 * Usage when the upstream never reported it (a stream cut short): estimated
 * from the characters sent and received, so the request is still accounted for.
 */
export const estimateUsage = (request: ModelRequest, generatedCharacters: number): Usage => ({
  inputTokens: tokensIn(promptCharacters(request)),
  outputTokens: tokensIn(generatedCharacters),
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
});

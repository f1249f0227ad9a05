import type { ResponseFormat } from '../core/language-model.js';

/**
 * The system instruction that asks for JSON output, or none for plain text:
 * for the providers whose API has no JSON mode (Bedrock Converse, Anthropic).
 *
 * Converse has no JSON mode that every Bedrock model honours (`outputConfig`
 * structured output exists for a few models only), so, like most gateways, we
 * ask for JSON in the system prompt. It is a request, not a guarantee: the
 * schema is not enforced on the answer. A forced "json" tool would enforce the
 * shape on models with tool use, but it turns the answer into a tool call the
 * client did not ask for and clashes with the client's own tools.
 */
export const responseFormatInstruction = (responseFormat: ResponseFormat | undefined): string | undefined => {
  if (!responseFormat || responseFormat.type === 'text') return undefined;
  if (responseFormat.type === 'json_object') {
    return 'Answer with a single valid JSON object only: no prose before or after it and no Markdown code fences.';
  }
  const description = responseFormat.description ? ` (${responseFormat.description})` : '';
  return [
    `Answer with a single valid JSON value named "${responseFormat.name}"${description} that conforms to this JSON Schema:`,
    JSON.stringify(responseFormat.schema),
    'Output only the JSON: no prose before or after it and no Markdown code fences.',
  ].join('\n');
};

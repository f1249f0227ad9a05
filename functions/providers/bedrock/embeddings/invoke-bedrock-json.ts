import { type BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import type { z } from 'zod';
import { UpstreamError } from '../../../core/errors.js';

const invalidResponse = (modelId: string, cause: unknown) =>
  new UpstreamError(502, `Bedrock model ${modelId} returned a response the gateway could not read.`, {
    code: 'upstream_invalid_response',
    retryable: true,
    cause,
  });

export interface InvokeBedrockJsonOptions<Schema extends z.ZodType> {
  client: BedrockRuntimeClient;
  modelId: string;
  body: unknown;
  responseSchema: Schema;
  /** Cancels this call (the caller's signal, or one that also fires when a sibling call failed). */
  signal?: AbortSignal;
}

/**
 * Calls InvokeModel with a JSON body and returns the validated JSON response.
 * SDK failures are left unmapped so the caller maps them once, with its own
 * abort signal; a body that is not JSON or not of the schema is a 502.
 */
export const invokeBedrockJson = async <Schema extends z.ZodType>({
  client,
  modelId,
  body,
  responseSchema,
  signal,
}: InvokeBedrockJsonOptions<Schema>): Promise<z.infer<Schema>> => {
  const command = new InvokeModelCommand({
    modelId,
    contentType: 'application/json',
    accept: 'application/json',
    body: new TextEncoder().encode(JSON.stringify(body)),
  });
  const response = await client.send(command, { abortSignal: signal });
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(response.body));
  } catch (error) {
    throw invalidResponse(modelId, error);
  }
  const parsed = responseSchema.safeParse(json);
  if (!parsed.success) throw invalidResponse(modelId, parsed.error);
  return parsed.data;
};

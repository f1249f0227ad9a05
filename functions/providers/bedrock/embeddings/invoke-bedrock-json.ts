import type { z } from 'zod';
import { UpstreamError } from '../../../core/errors.js';
import type { BedrockRuntimeClient } from '../bedrock-runtime-client.js';

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
 * Service and network failures are left unmapped so the caller maps them once,
 * with its own abort signal; a body that is not JSON or not of the schema is a 502.
 */
export const invokeBedrockJson = async <Schema extends z.ZodType>({
  client,
  modelId,
  body,
  responseSchema,
  signal,
}: InvokeBedrockJsonOptions<Schema>): Promise<z.infer<Schema>> => {
  const parsed = responseSchema.safeParse(await client.invokeModel(modelId, body, signal));
  if (!parsed.success) {
    throw new UpstreamError(502, `Bedrock model ${modelId} returned a response the gateway could not read.`, {
      code: 'upstream_invalid_response',
      retryable: true,
      cause: parsed.error,
    });
  }
  return parsed.data;
};

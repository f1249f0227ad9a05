import { InvokeModelCommand, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { z } from 'zod';
import { UpstreamError } from '../../../core/errors.js';

export interface InvokeBedrockJsonOptions<Schema extends z.ZodType> {
  client: BedrockRuntimeClient;
  modelId: string;
  body: unknown;
  responseSchema: Schema;
  /** Cancels this call (the caller's signal, or one that also fires when a sibling call failed). */
  signal?: AbortSignal;
}

/**
 * Calls InvokeModel (the AWS SDK's) with a JSON body and returns the validated JSON response.
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
  const output = await client.send(
    new InvokeModelCommand({ modelId, body: JSON.stringify(body), contentType: 'application/json', accept: 'application/json' }),
    { abortSignal: signal },
  );
  let answer: unknown;
  try {
    answer = JSON.parse(new TextDecoder().decode(output.body));
  } catch (error) {
    throw new UpstreamError(502, `Bedrock model ${modelId} returned a body that is not JSON.`, { code: 'upstream_invalid_response', retryable: true, cause: error });
  }
  const parsed = responseSchema.safeParse(answer);
  if (!parsed.success) {
    throw new UpstreamError(502, `Bedrock model ${modelId} returned a response the gateway could not read.`, {
      code: 'upstream_invalid_response',
      retryable: true,
      cause: parsed.error,
    });
  }
  return parsed.data;
};

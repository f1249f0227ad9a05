import { BedrockRuntimeClient, type InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { type ModelConfig, modelSchema } from '../../../functions/core/config/schema.js';

/** A parsed `mode: embedding` entry of a provider (parsed as `openai`, then renamed, so every provider can be tried). */
export const embeddingEntry = (provider: string, fields: Record<string, unknown> = {}): ModelConfig =>
  ({
    ...modelSchema.parse({ name: 'embedder', provider: 'openai', mode: 'embedding', model: 'text-embedding-3-small', ...fields }),
    provider,
  }) as unknown as ModelConfig;

export interface InvokedModel {
  modelId: string | undefined;
  body: Record<string, unknown>;
  abortSignal: AbortSignal | undefined;
}

/**
 * A real Bedrock client whose `send` answers InvokeModel with `respond`
 * (a JSON body) instead of calling AWS, recording each call and how many were
 * in flight at most.
 */
export const stubInvokeClient = (respond: (body: Record<string, unknown>) => unknown | Promise<unknown>) => {
  const client = new BedrockRuntimeClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const invoked: InvokedModel[] = [];
  const inFlight = { now: 0, max: 0 };
  const send = async (command: InvokeModelCommand, options?: { abortSignal?: AbortSignal }): Promise<{ body: Uint8Array }> => {
    const body = JSON.parse(new TextDecoder().decode(command.input.body as Uint8Array)) as Record<string, unknown>;
    invoked.push({ modelId: command.input.modelId, body, abortSignal: options?.abortSignal });
    inFlight.now += 1;
    inFlight.max = Math.max(inFlight.max, inFlight.now);
    try {
      const answer = await respond(body);
      return { body: new TextEncoder().encode(typeof answer === 'string' ? answer : JSON.stringify(answer)) };
    } finally {
      inFlight.now -= 1;
    }
  };
  client.send = send as BedrockRuntimeClient['send'];
  return { client, invoked, inFlight };
};

export const delay = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/** The Euclidean length of a vector. */
export const lengthOf = (vector: number[]): number => Math.hypot(...vector);

/** An SDK-shaped Bedrock exception. */
export const bedrockException = (name: string, message: string, httpStatusCode: number) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });

import { type ModelConfig, modelSchema } from '../../../functions/core/config/schema.js';
import { type Answer, bedrockClientAt, modelIdOf, startLocalBedrock } from '../../support/local-bedrock.js';

/** A parsed `mode: embedding` entry of a provider (parsed as `openai`, then renamed, so every provider can be tried). */
export const embeddingEntry = (provider: string, fields: Record<string, unknown> = {}): ModelConfig =>
  ({
    ...modelSchema.parse({ name: 'embedder', provider: 'openai', mode: 'embedding', model: 'text-embedding-3-small', ...fields }),
    provider,
  }) as unknown as ModelConfig;

export interface InvokedModel {
  /** From the path, decoded. */
  modelId: string;
  body: Record<string, unknown>;
  /** Whether the client hung up before the answer (the call was aborted). */
  closedEarly: boolean;
}

/** An error answer for `invokeClientAnswering`: `respond` throws it, the local Bedrock sends it as Bedrock would. */
export const bedrockException = (name: string, message: string, httpStatusCode: number) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });

const isBedrockException = (error: unknown): error is ReturnType<typeof bedrockException> =>
  error instanceof Error && '$metadata' in error;

/**
 * A Bedrock Runtime client pointed at a local Bedrock that answers each
 * InvokeModel call with `respond(body)` as JSON (or, when `respond` throws a
 * `bedrockException`, with that error), recording each call and how many
 * were in flight at most.
 */
export const invokeClientAnswering = async (respond: (body: Record<string, unknown>) => unknown | Promise<unknown>) => {
  const invoked: InvokedModel[] = [];
  const inFlight = { now: 0, max: 0 };
  const { endpoint } = await startLocalBedrock(async (request): Promise<Answer> => {
    invoked.push({
      modelId: modelIdOf(request),
      body: request.body,
      get closedEarly() {
        return request.closedEarly;
      },
    });
    inFlight.now += 1;
    inFlight.max = Math.max(inFlight.max, inFlight.now);
    try {
      return { json: await respond(request.body) };
    } catch (error) {
      if (isBedrockException(error)) return { status: error.$metadata.httpStatusCode, errorType: error.name, message: error.message };
      throw error;
    } finally {
      inFlight.now -= 1;
    }
  });
  return { client: bedrockClientAt(endpoint), invoked, inFlight };
};

export const delay = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/** The Euclidean length of a vector. */
export const lengthOf = (vector: number[]): number => Math.hypot(...vector);

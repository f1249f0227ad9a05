import {
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type BedrockRuntimeClient,
  type InvokeModelCommandInput,
  type ResponseStream,
} from '@aws-sdk/client-bedrock-runtime';
import { UpstreamError } from '../../core/errors.js';
import type { MessagesApi, MessagesBody, MessagesCallOptions, MessagesStreamEvent } from '../../core/language-model.js';
import { mapBedrockError } from './map-bedrock-error.js';
import type { BedrockModelSettings } from './prepare-bedrock-request.js';

/** The version Bedrock's Claude models take in the body, in place of Anthropic's `anthropic-version` header. */
export const bedrockAnthropicVersion = 'bedrock-2023-05-31';

/** Bedrock model ids, inference profiles and their ARNs that name a Claude model: these speak the Messages API. */
export const isBedrockClaude = (modelId: string): boolean => /(^|[./:])anthropic\.claude/.test(modelId);

/** `us.anthropic.claude-…` → `anthropic.claude-…`: a geographic inference profile's foundation model (other ids as they are). */
export const foundationModelIdOf = (modelId: string): string => modelId.replace(/^(us|eu|apac|jp|au|ca|in|us-gov|global)\.(?=anthropic\.)/, '');

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The InvokeModel body: what the client sent (without `model` and `stream`,
 * which Bedrock refuses as extraneous keys) with Bedrock's version and the
 * betas this upstream takes.
 */
const invokeBody = (body: MessagesBody, betas: readonly string[]): Uint8Array =>
  encoder.encode(JSON.stringify({ ...body, anthropic_version: bedrockAnthropicVersion, ...(betas.length > 0 ? { anthropic_beta: betas } : {}) }));

const invalidResponse = (detail: string, cause?: unknown) =>
  new UpstreamError(502, `Bedrock answered a Messages request with ${detail}.`, { code: 'upstream_invalid_response', retryable: true, cause });

const parseObject = (bytes: Uint8Array | undefined, what: string): Record<string, unknown> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes ?? new Uint8Array()));
  } catch (error) {
    throw invalidResponse(`${what} that is not JSON`, error);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidResponse(`${what} that is not an object`);
  return parsed as Record<string, unknown>;
};

/** An event of the stream: a chunk's bytes are one Anthropic event; an exception member fails the stream as Bedrock named it. */
const eventOf = (part: ResponseStream): MessagesStreamEvent => {
  if (part.chunk) {
    const event = parseObject(part.chunk.bytes, 'a stream chunk');
    if (typeof event.type !== 'string') throw invalidResponse('a stream chunk without a type');
    return event as MessagesStreamEvent;
  }
  const [member, detail] = Object.entries(part).find(([, value]) => value !== undefined) ?? ['unknown', undefined];
  const name = member.charAt(0).toUpperCase() + member.slice(1);
  throw Object.assign(new Error((detail as { message?: string } | undefined)?.message ?? name), { name });
};

async function* eventsOf(parts: AsyncIterable<ResponseStream>, abortSignal?: AbortSignal): AsyncGenerator<MessagesStreamEvent> {
  try {
    for await (const part of parts) yield eventOf(part);
  } catch (error) {
    throw mapBedrockError(error, abortSignal);
  }
}

/**
 * Claude on Bedrock through its Anthropic-native API: InvokeModel,
 * InvokeModelWithResponseStream and CountTokens with the body as the client
 * sent it, which is the path Claude Code's own Bedrock mode takes, so that
 * `cache_control`, thinking and betas behave exactly as on Bedrock. The entry's
 * guardrail, service tier and latency settings apply as on Converse.
 */
export class BedrockMessagesApi implements MessagesApi {
  constructor(
    private readonly modelId: string,
    private readonly client: BedrockRuntimeClient,
    private readonly settings: BedrockModelSettings = {},
  ) {}

  async create(body: MessagesBody, { betas, abortSignal }: MessagesCallOptions): Promise<Record<string, unknown>> {
    let output: { body?: Uint8Array };
    try {
      output = await this.client.send(new InvokeModelCommand(this.input(body, betas)), { abortSignal });
    } catch (error) {
      throw mapBedrockError(error, abortSignal);
    }
    return parseObject(output.body, 'a body');
  }

  async stream(body: MessagesBody, { betas, abortSignal }: MessagesCallOptions): Promise<AsyncIterable<MessagesStreamEvent>> {
    let parts: AsyncIterable<ResponseStream> | undefined;
    try {
      ({ body: parts } = await this.client.send(new InvokeModelWithResponseStreamCommand(this.input(body, betas)), { abortSignal }));
    } catch (error) {
      throw mapBedrockError(error, abortSignal);
    }
    if (!parts) throw invalidResponse('no event stream');
    return eventsOf(parts, abortSignal);
  }

  /**
   * CountTokens over the InvokeModel body. Bedrock refuses some geographic
   * inference profiles here (ValidationException) while counting for their
   * foundation model, and others the other way round: the profile is tried
   * first, then the model id without its geography prefix.
   */
  async countTokens(body: MessagesBody, { betas, abortSignal }: MessagesCallOptions): Promise<number> {
    // An output cap is still required by the InvokeModel body's schema.
    const input = { invokeModel: { body: invokeBody({ max_tokens: 1, ...body }, betas) } };
    const candidates = [...new Set([this.modelId, foundationModelIdOf(this.modelId)])];
    let output: { inputTokens?: number } | undefined;
    for (const [index, modelId] of candidates.entries()) {
      try {
        output = await this.client.send(new CountTokensCommand({ modelId, input }), { abortSignal });
        break;
      } catch (error) {
        const mapped = mapBedrockError(error, abortSignal);
        const refusedId = mapped instanceof UpstreamError && mapped.status === 400 && index < candidates.length - 1;
        if (!refusedId) throw mapped;
      }
    }
    if (typeof output?.inputTokens !== 'number') throw invalidResponse('a token count without inputTokens');
    return output.inputTokens;
  }

  private input(body: MessagesBody, betas: readonly string[]): InvokeModelCommandInput {
    const { guardrail, service_tier, performance_config } = this.settings;
    return {
      modelId: this.modelId,
      contentType: 'application/json',
      accept: 'application/json',
      body: invokeBody(body, betas),
      ...(guardrail
        ? {
            guardrailIdentifier: guardrail.id,
            guardrailVersion: guardrail.version,
            ...(guardrail.trace ? { trace: guardrail.trace.toUpperCase() as InvokeModelCommandInput['trace'] } : {}),
          }
        : {}),
      ...(service_tier ? { serviceTier: service_tier } : {}),
      ...(performance_config ? { performanceConfigLatency: performance_config.latency } : {}),
    };
  }
}

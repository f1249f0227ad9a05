import type { ConverseCommandInput, InferenceConfiguration } from '@aws-sdk/client-bedrock-runtime';
import type { ModelConfig } from '../../core/config/schema.js';
import type { ModelRequest } from '../../core/language-model.js';
import { claudeThinkingBudget } from '../thinking-budgets.js';
import { prepareBedrockTools } from './bedrock-prepare-tools.js';
import { responseFormatInstruction } from '../response-format-instruction.js';
import { convertToBedrockMessages } from './convert-to-bedrock-messages.js';
import { addAutomaticCachePoints, limitCachePoints, withoutCachePoints } from './bedrock-cache-points.js';

/** What a model's config entry adds to each of its Converse requests. */
export type BedrockModelSettings = Partial<Pick<ModelConfig, 'prompt_caching' | 'guardrail' | 'service_tier' | 'performance_config'>>;

/** Room left for the answer when thinking is on and the request sets no output cap. */
const defaultAnswerTokens = 4096;

// Bedrock stores requestMetadata for invocation logs and refuses characters outside this set.
const requestMetadataValue = /^[a-zA-Z0-9\s:_@$#=/+,.-]{1,256}$/;

const isClaude = (modelId: string): boolean => modelId.includes('anthropic.claude');

/** The model families whose Converse API takes cache points; for others, cache hints are dropped. */
const supportsPromptCaching = (modelId: string): boolean => isClaude(modelId) || modelId.includes('amazon.nova');

/** The thinking budget for a request: Claude's, fitted inside its output cap; none for other models. */
const thinkingBudgetFor = (modelId: string, request: ModelRequest): number | undefined =>
  isClaude(modelId) ? claudeThinkingBudget(request.reasoningEffort, request.maxOutputTokens) : undefined;

/**
 * Builds the Converse (and ConverseStream) input for a neutral request: the
 * messages, tools, a JSON instruction for `responseFormat`, the inference
 * parameters, Claude's extended thinking for `reasoningEffort`, cache points,
 * and the model entry's guardrail, service tier and performance settings.
 */
export const prepareBedrockRequest = (modelId: string, request: ModelRequest, settings: BedrockModelSettings = {}): ConverseCommandInput => {
  const { system, messages } = convertToBedrockMessages(request.messages, { toolResultStatus: isClaude(modelId) });
  const jsonInstruction = responseFormatInstruction(request.responseFormat);
  if (jsonInstruction) system.push({ text: jsonInstruction });

  const inferenceConfig: InferenceConfiguration = {
    maxTokens: request.maxOutputTokens,
    temperature: request.temperature,
    topP: request.topP,
    stopSequences: request.stop && request.stop.length > 0 ? request.stop : undefined,
  };

  const thinkingBudget = thinkingBudgetFor(modelId, request);
  let additionalModelRequestFields: ConverseCommandInput['additionalModelRequestFields'];
  if (thinkingBudget !== undefined) {
    additionalModelRequestFields = { thinking: { type: 'enabled', budget_tokens: thinkingBudget } };
    inferenceConfig.maxTokens ??= thinkingBudget + defaultAnswerTokens;
    // Claude refuses temperature other than 1 and top_p below 0.95 with thinking on;
    // dropping them keeps the request valid and leaves sampling at its defaults.
    delete inferenceConfig.temperature;
    delete inferenceConfig.topP;
  }

  let input: ConverseCommandInput = { modelId, messages };
  if (system.length > 0) input.system = system;
  const setInferenceConfig = dropUndefined(inferenceConfig);
  if (Object.keys(setInferenceConfig).length > 0) input.inferenceConfig = setInferenceConfig;
  const toolConfig = prepareBedrockTools(request.tools, request.toolChoice, messages);
  if (toolConfig) input.toolConfig = toolConfig;
  if (additionalModelRequestFields) input.additionalModelRequestFields = additionalModelRequestFields;
  if (request.user && requestMetadataValue.test(request.user)) input.requestMetadata = { user: request.user };

  if (!supportsPromptCaching(modelId)) input = withoutCachePoints(input);
  else input = limitCachePoints(settings.prompt_caching === 'auto' ? addAutomaticCachePoints(input) : input);
  if (settings.guardrail) {
    input.guardrailConfig = {
      guardrailIdentifier: settings.guardrail.id,
      guardrailVersion: settings.guardrail.version,
      ...(settings.guardrail.trace ? { trace: settings.guardrail.trace } : {}),
    };
  }
  if (settings.service_tier) input.serviceTier = { type: settings.service_tier };
  if (settings.performance_config) input.performanceConfig = { latency: settings.performance_config.latency };
  return input;
};

const dropUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;

import type { ModelRequest } from '../../core/language-model.js';
import { claudeThinkingBudget } from '../thinking-budgets.js';
import { prepareBedrockTools } from './bedrock-prepare-tools.js';
import { responseFormatInstruction } from '../response-format-instruction.js';
import type { ConverseRequest, InferenceConfiguration } from './bedrock-wire-types.js';
import { convertToBedrockMessages } from './convert-to-bedrock-messages.js';

/** Room left for the answer when thinking is on and the request sets no output cap. */
const defaultAnswerTokens = 4096;

// Bedrock stores requestMetadata for invocation logs and refuses characters outside this set.
const requestMetadataValue = /^[a-zA-Z0-9\s:_@$#=/+,.-]{1,256}$/;

const supportsExtendedThinking = (modelId: string): boolean => modelId.includes('anthropic.claude');

/** The thinking budget for a request: Claude's, fitted inside its output cap; none for other models. */
const thinkingBudgetFor = (modelId: string, request: ModelRequest): number | undefined =>
  supportsExtendedThinking(modelId) ? claudeThinkingBudget(request.reasoningEffort, request.maxOutputTokens) : undefined;

/**
 * Builds the Converse (and ConverseStream) request body for a neutral request:
 * the messages, tools, a JSON instruction for `responseFormat`, the inference
 * parameters, and Claude's extended thinking for `reasoningEffort`. The model
 * id goes in the path, not here.
 */
export const prepareBedrockRequest = (modelId: string, request: ModelRequest): ConverseRequest => {
  const { system, messages } = convertToBedrockMessages(request.messages);
  const jsonInstruction = responseFormatInstruction(request.responseFormat);
  if (jsonInstruction) system.push({ text: jsonInstruction });

  const inferenceConfig: InferenceConfiguration = {
    maxTokens: request.maxOutputTokens,
    temperature: request.temperature,
    topP: request.topP,
    stopSequences: request.stop && request.stop.length > 0 ? request.stop : undefined,
  };

  const thinkingBudget = thinkingBudgetFor(modelId, request);
  let additionalModelRequestFields: ConverseRequest['additionalModelRequestFields'];
  if (thinkingBudget !== undefined) {
    additionalModelRequestFields = { thinking: { type: 'enabled', budget_tokens: thinkingBudget } };
    inferenceConfig.maxTokens ??= thinkingBudget + defaultAnswerTokens;
    // Claude refuses temperature other than 1 and top_p below 0.95 with thinking on;
    // dropping them keeps the request valid and leaves sampling at its defaults.
    delete inferenceConfig.temperature;
    delete inferenceConfig.topP;
  }

  const converseRequest: ConverseRequest = { messages };
  if (system.length > 0) converseRequest.system = system;
  const setInferenceConfig = dropUndefined(inferenceConfig);
  if (Object.keys(setInferenceConfig).length > 0) converseRequest.inferenceConfig = setInferenceConfig;
  const toolConfig = prepareBedrockTools(request.tools, request.toolChoice, messages);
  if (toolConfig) converseRequest.toolConfig = toolConfig;
  if (additionalModelRequestFields) converseRequest.additionalModelRequestFields = additionalModelRequestFields;
  if (request.user && requestMetadataValue.test(request.user)) converseRequest.requestMetadata = { user: request.user };
  return converseRequest;
};

const dropUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;

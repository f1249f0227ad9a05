import type { ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { cachePointBlock } from './convert-to-bedrock-messages.js';

/** Bedrock takes at most four cache points in one request and refuses more. */
export const maxCachePoints = 4;

type Block = { cachePoint?: unknown };

const isCachePoint = (block: Block): boolean => block.cachePoint !== undefined;

const endsWithCachePoint = (blocks: Block[] | undefined): boolean => blocks !== undefined && blocks.length > 0 && isCachePoint(blocks[blocks.length - 1]);

/** The block lists of a request in prompt order: tools, then system, then each message (Bedrock's cache prefix order). */
const blockLists = (input: ConverseCommandInput): Block[][] => [
  input.toolConfig?.tools ?? [],
  input.system ?? [],
  ...(input.messages ?? []).map((message) => message.content ?? []),
];

/** The request without any cache point, for models that take none. */
export const withoutCachePoints = (input: ConverseCommandInput): ConverseCommandInput => ({
  ...input,
  ...(input.system ? { system: input.system.filter((block) => !isCachePoint(block)) } : {}),
  ...(input.toolConfig?.tools ? { toolConfig: { ...input.toolConfig, tools: input.toolConfig.tools.filter((tool) => !isCachePoint(tool)) } } : {}),
  ...(input.messages ? { messages: input.messages.map((message) => ({ ...message, content: message.content?.filter((block) => !isCachePoint(block)) })) } : {}),
});

/** `prompt_caching: auto`: a cache point after the tool definitions and after the system prompt, where there are any. */
export const addAutomaticCachePoints = (input: ConverseCommandInput): ConverseCommandInput => {
  const result: ConverseCommandInput = { ...input };
  if (result.toolConfig?.tools?.length && !endsWithCachePoint(result.toolConfig.tools)) {
    result.toolConfig = { ...result.toolConfig, tools: [...result.toolConfig.tools, cachePointBlock] };
  }
  if (result.system?.length && !endsWithCachePoint(result.system)) result.system = [...result.system, cachePointBlock];
  return result;
};

/** Drops the earliest cache points beyond `maxCachePoints`: a later one caches everything before it too. */
export const limitCachePoints = (input: ConverseCommandInput): ConverseCommandInput => {
  const total = blockLists(input).reduce((count, blocks) => count + blocks.filter(isCachePoint).length, 0);
  let surplus = total - maxCachePoints;
  if (surplus <= 0) return input;
  const keep = (block: Block): boolean => {
    if (!isCachePoint(block) || surplus <= 0) return true;
    surplus -= 1;
    return false;
  };
  const tools = input.toolConfig?.tools?.filter(keep);
  const system = input.system?.filter(keep);
  const messages = input.messages?.map((message) => ({ ...message, content: message.content?.filter(keep) }));
  return {
    ...input,
    ...(input.toolConfig && tools ? { toolConfig: { ...input.toolConfig, tools } } : {}),
    ...(system ? { system } : {}),
    ...(messages ? { messages } : {}),
  };
};

import { assertCallerAllowed, type Caller } from '../auth/authenticate.js';
import { GatewayError } from '../errors.js';
import type { KnowledgeService, Passage } from '../knowledge/knowledge-service.js';
import type { ModelConfig } from '../config/schema.js';
import type { ModelMessage, ModelRequest } from '../language-model.js';
import type { FileSearchTool } from './chat-request-schema.js';

const defaultResults = 5;

/** A passage given to the model, as reported back to the client. */
export interface FileSearchSource {
  /** The number the passage carries in the injected context: `[1]`. */
  index: number;
  knowledge_base: string;
  file_id: string;
  filename: string;
  score: number;
  attributes: Record<string, string | number | boolean>;
  text: string;
}

/** The text of the last user message: what retrieval searches for. */
const lastUserText = (request: ModelRequest): string => {
  const last = [...request.messages].reverse().find((message) => message.role === 'user');
  if (!last || last.role !== 'user') return '';
  return last.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
};

const contextMessage = (sources: FileSearchSource[]): ModelMessage => ({
  role: 'system',
  content: [
    'Answer using the numbered context passages below when they are relevant, and cite them as [n]. If they do not contain the answer, say so.',
    ...sources.map((source) => `[${source.index}] ${source.filename}\n${source.text}`),
  ].join('\n\n'),
});

/**
 * `file_search` in chat: retrieves from the knowledge bases the request names
 * (and those the model entry always searches) with the last user message,
 * keeps the best passages overall, and injects them as numbered context after
 * the system messages. Returns the request to send and the sources used.
 */
export const applyFileSearch = async (
  fileSearchTools: readonly FileSearchTool[],
  modelRequest: ModelRequest,
  modelConfig: ModelConfig,
  caller: Caller,
  knowledge: KnowledgeService,
  abortSignal?: AbortSignal,
): Promise<{ request: ModelRequest; sources: FileSearchSource[]; query: string } | undefined> => {
  const searches = [
    ...fileSearchTools.flatMap((tool) => tool.vector_store_ids.map((name) => ({ name, tool }))),
    ...(modelConfig.knowledge_bases ?? []).map((name) => ({ name, tool: undefined })),
  ].filter((search, index, all) => all.findIndex((other) => other.name === search.name) === index);
  if (searches.length === 0) return undefined;
  const known = new Set(knowledge.list().map((base) => base.name));
  for (const { name } of searches) {
    if (!known.has(name)) throw new GatewayError(404, `Knowledge base "${name}" does not exist.`, { code: 'knowledge_base_not_found', param: 'tools' });
    assertCallerAllowed(caller, 'knowledgeBases', name, 'knowledge base');
  }
  const query = lastUserText(modelRequest);
  if (!query.trim()) return { request: modelRequest, sources: [], query };
  const limit = Math.max(...searches.map(({ tool }) => tool?.max_num_results ?? defaultResults));
  const found = await Promise.all(
    searches.map(async ({ name, tool }) => {
      const passages = await knowledge.search(
        name,
        {
          query,
          maxResults: tool?.max_num_results ?? defaultResults,
          filters: tool?.filters ?? undefined,
          scoreThreshold: tool?.ranking_options?.score_threshold ?? undefined,
        },
        { abortSignal },
      );
      return passages.map((passage: Passage) => ({ name, passage }));
    }),
  );
  const sources = found
    .flat()
    .sort((left, right) => right.passage.score - left.passage.score)
    .slice(0, limit)
    .map(({ name, passage }, index): FileSearchSource => ({
      index: index + 1,
      knowledge_base: name,
      file_id: passage.fileId,
      filename: passage.filename,
      score: passage.score,
      attributes: passage.attributes,
      text: passage.text,
    }));
  if (sources.length === 0) return { request: modelRequest, sources, query };
  const systemCount = modelRequest.messages.findIndex((message) => message.role !== 'system');
  const insertAt = systemCount < 0 ? modelRequest.messages.length : systemCount;
  const messages = [...modelRequest.messages.slice(0, insertAt), contextMessage(sources), ...modelRequest.messages.slice(insertAt)];
  return { request: { ...modelRequest, messages }, sources, query };
};

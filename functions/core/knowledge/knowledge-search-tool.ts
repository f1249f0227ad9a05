import * as z from 'zod';
import type { BuiltInMcpTool, McpToolResult } from '../mcp/mcp-service.js';
import type { KnowledgeService } from './knowledge-service.js';

const argumentsSchema = z.object({
  query: z.string().min(1).max(4000),
  knowledge_base: z.string().min(1).max(64).optional(),
  max_results: z.number().int().min(1).max(20).optional(),
});

const errorResult = (text: string): McpToolResult => ({ content: [{ type: 'text', text }], isError: true });

/**
 * `knowledge_base__search` on `/mcp`: searches one knowledge base the caller
 * may use (the first such one when none is named). Listed only for callers
 * allowed at least one knowledge base.
 */
export const knowledgeSearchTool = (knowledge: KnowledgeService): BuiltInMcpTool => {
  const names = () => knowledge.list().map((base) => base.name);
  return {
    server: 'knowledge_base',
    name: 'search',
    description: `Search a knowledge base for passages relevant to a query. Knowledge bases: ${knowledge
      .list()
      .map((base) => (base.description ? `${base.name} (${base.description})` : base.name))
      .join('; ')}.`,
    inputSchema: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'What to search for, in natural language' },
        knowledge_base: { type: 'string', enum: names(), description: 'Which knowledge base to search' },
        max_results: { type: 'integer', minimum: 1, maximum: 20, description: 'How many passages to return (default 5)' },
      },
      required: ['query'],
    },
    allowedFor: (access) => names().some((name) => access.allowsKnowledgeBase(name)),
    async call(args, access, signal) {
      const parsed = argumentsSchema.safeParse(args);
      if (!parsed.success) return errorResult(`Invalid arguments: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'arguments'}: ${issue.message}`).join('; ')}`);
      const name = parsed.data.knowledge_base ?? names().find((candidate) => access.allowsKnowledgeBase(candidate));
      if (!name || !names().includes(name)) return errorResult(`Unknown knowledge base "${parsed.data.knowledge_base}".`);
      if (!access.allowsKnowledgeBase(name)) return errorResult(`This key may not use knowledge base "${name}".`);
      const passages = await knowledge.search(name, { query: parsed.data.query, maxResults: parsed.data.max_results ?? 5 }, { abortSignal: signal });
      return {
        content: passages.map((passage, index) => ({ type: 'text', text: `[${index + 1}] ${passage.filename} (score ${passage.score.toFixed(3)})\n${passage.text}` })),
        structuredContent: {
          results: passages.map((passage) => ({ file_id: passage.fileId, filename: passage.filename, score: passage.score, attributes: passage.attributes, text: passage.text })),
        },
      };
    },
  };
};

import * as z from 'zod';
import type { SearchFilter } from './knowledge-service.js';

const comparisonFilterSchema = z.strictObject({
  type: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte']),
  key: z.string().min(1),
  value: z.union([z.string(), z.number(), z.boolean()]),
});

const listFilterSchema = z.strictObject({
  type: z.enum(['in', 'nin']),
  key: z.string().min(1),
  value: z.array(z.union([z.string(), z.number()])).min(1),
});

/** OpenAI vector-store filters: comparisons, list membership, and nested `and`/`or`. */
export const searchFilterSchema: z.ZodType<SearchFilter> = z.lazy(() =>
  z.union([
    comparisonFilterSchema,
    listFilterSchema,
    z.strictObject({ type: z.enum(['and', 'or']), filters: z.array(searchFilterSchema).min(1) }),
  ]),
);

/** The body of `POST /v1/vector_stores/{id}/search`, as OpenAI defines it. */
export const searchRequestSchema = z.object({
  query: z.union([z.string().trim().min(1), z.array(z.string().trim().min(1)).min(1)]),
  max_num_results: z.number().int().min(1).max(50).default(10),
  filters: searchFilterSchema.optional(),
  ranking_options: z
    .object({
      ranker: z.string().optional(),
      score_threshold: z.number().min(0).max(1).optional(),
    })
    .optional(),
  // Accepted for compatibility; the query is used as written.
  rewrite_query: z.boolean().optional(),
});

export type SearchRequest = z.infer<typeof searchRequestSchema>;

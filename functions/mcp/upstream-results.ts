import * as z from 'zod';

/**
 * What the gateway needs from an upstream tool, every other field (title,
 * annotations, outputSchema, _meta...) kept as the upstream sent it.
 */
export const upstreamToolSchema = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  inputSchema: z.record(z.string(), z.unknown()),
});

/** One page of `tools/list`, the cursor passed through. */
export const listToolsResultSchema = z.looseObject({
  tools: z.array(upstreamToolSchema),
  nextCursor: z.string().optional(),
});

/** A `tools/call` result: content blocks of every type and the fields beside them kept as they came. */
export const toolResultSchema = z.looseObject({
  content: z.array(z.looseObject({ type: z.string() })).default([]),
  isError: z.boolean().optional(),
  structuredContent: z.record(z.string(), z.unknown()).optional(),
});

export type UpstreamTool = z.infer<typeof upstreamToolSchema>;
export type UpstreamToolPage = z.infer<typeof listToolsResultSchema>;
export type UpstreamToolResult = z.infer<typeof toolResultSchema>;

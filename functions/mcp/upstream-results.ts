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

/** A capability family (`tools`, `resources`...): an object of sub-capabilities, kept as sent. */
const capabilityFamilySchema = z.looseObject({}).optional();

/** What an upstream says it serves; only the families' presence matters to the gateway. */
export const serverCapabilitiesSchema = z.looseObject({
  tools: capabilityFamilySchema,
  resources: capabilityFamilySchema,
  prompts: capabilityFamilySchema,
  completions: capabilityFamilySchema,
  logging: capabilityFamilySchema,
});

/** The `initialize` result: the negotiated version, what the upstream serves, who it is. */
export const initializeResultSchema = z.looseObject({
  protocolVersion: z.string(),
  capabilities: serverCapabilitiesSchema,
  serverInfo: z.looseObject({ name: z.string(), version: z.string() }),
  instructions: z.string().optional(),
});

/** Any request's result: an object (the MCP `Result`), passed on as it came. */
export const resultSchema = z.looseObject({});

export type UpstreamCapabilities = z.infer<typeof serverCapabilitiesSchema>;
export type InitializeResult = z.infer<typeof initializeResultSchema>;
export type UpstreamResult = z.infer<typeof resultSchema>;

import * as z from 'zod';
import type { Passage } from '../../core/knowledge/knowledge-service.js';

/** The part of a Retrieve response Tollway reads, validated at the boundary. */
const locationSchema = z.object({
  type: z.string().optional(),
  s3Location: z.object({ uri: z.string().optional() }).optional(),
  webLocation: z.object({ url: z.string().optional() }).optional(),
  confluenceLocation: z.object({ url: z.string().optional() }).optional(),
  salesforceLocation: z.object({ url: z.string().optional() }).optional(),
  sharePointLocation: z.object({ url: z.string().optional() }).optional(),
  oneDriveLocation: z.object({ url: z.string().optional() }).optional(),
  googleDriveLocation: z.object({ url: z.string().optional() }).optional(),
  kendraDocumentLocation: z.object({ uri: z.string().optional() }).optional(),
  customDocumentLocation: z.object({ id: z.string().optional() }).optional(),
  sqlLocation: z.object({ query: z.string().optional() }).optional(),
});

const retrievalResultSchema = z.object({
  content: z
    .object({
      text: z.string().optional(),
      row: z.array(z.object({ columnName: z.string().optional(), columnValue: z.string().optional() })).optional(),
    })
    .optional(),
  location: locationSchema.optional(),
  score: z.number().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  documentId: z.string().optional(),
});

export const retrieveResponseSchema = z.object({
  retrievalResults: z.array(retrievalResultSchema).default([]),
  nextToken: z.string().optional(),
});

export type RetrievalResult = z.infer<typeof retrievalResultSchema>;
type Location = z.infer<typeof locationSchema>;

/** Metadata key Bedrock sets to the URI of the source document. */
export const sourceUriKey = 'x-amz-bedrock-kb-source-uri';

/** The location as one string: S3 URI, URL, document id or SQL query, whichever the data source gives. */
export const locationText = (location: Location | undefined): string | undefined =>
  location?.s3Location?.uri ??
  location?.webLocation?.url ??
  location?.confluenceLocation?.url ??
  location?.salesforceLocation?.url ??
  location?.sharePointLocation?.url ??
  location?.oneDriveLocation?.url ??
  location?.googleDriveLocation?.url ??
  location?.kendraDocumentLocation?.uri ??
  location?.customDocumentLocation?.id ??
  location?.sqlLocation?.query;

/** `s3://bucket/guides/Intro%20Guide.pdf?x=1` → `Intro Guide.pdf`. */
export const filenameFrom = (location: string): string => {
  const path = location.replace(/[?#].*$/, '').replace(/\/+$/, '');
  const segment = path.slice(path.lastIndexOf('/') + 1) || path;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** Metadata values OpenAI attributes can hold (string, number, boolean); string lists joined, anything else dropped. */
const toAttributes = (metadata: Record<string, unknown> | undefined): Passage['attributes'] => {
  const attributes: Passage['attributes'] = {};
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') attributes[key] = value;
    else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) attributes[key] = value.join(', ');
  }
  return attributes;
};

const contentText = (content: RetrievalResult['content']): string =>
  content?.text ?? content?.row?.map((column) => `${column.columnName ?? ''}: ${column.columnValue ?? ''}`).join('\n') ?? '';

/** One Retrieve result as a passage: the source URI (metadata, else location) is the file id. */
export const convertBedrockResult = (result: RetrievalResult): Passage => {
  const location = locationText(result.location);
  const sourceUri = result.metadata?.[sourceUriKey];
  const fileId = (typeof sourceUri === 'string' ? sourceUri : undefined) ?? location ?? result.documentId ?? 'unknown';
  return {
    fileId,
    filename: filenameFrom(location ?? fileId),
    score: result.score ?? 0,
    attributes: toAttributes(result.metadata),
    text: contentText(result.content),
    ...(location === undefined ? {} : { location }),
  };
};

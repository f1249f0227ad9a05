import type { z } from 'zod';
import { invalidRequest } from './errors.js';

/** `messages[2].content` */
export const describePath = (path: PropertyKey[]): string =>
  path.reduce<string>((text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text ? `${text}.${String(segment)}` : String(segment)), '');

/** Validates a request body with a zod schema; 400 naming the first bad field otherwise. */
export const parseBody = <Schema extends z.ZodType>(schema: Schema, body: unknown): z.infer<Schema> => {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = describePath(issue.path);
  throw invalidRequest(param ? `Invalid value for "${param}": ${issue.message}` : `Invalid request: ${issue.message}`, param || null, 'invalid_value');
};

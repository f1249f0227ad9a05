import type { AnyObjectSchema } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import * as z from 'zod';
import { jsonRpcErrorCodes } from './mcp-protocol.js';
import { JsonRpcError } from './upstream-errors.js';

/**
 * The request schema, but params that do not fit it throw a JSON-RPC -32602
 * naming the field instead of failing the parse with a ZodError (which the
 * SDK would answer as -32603 with the zod issues as the message).
 *
 * It throws from inside the parse because the parse is the first thing the
 * SDK runs on a request, before its own tools/call check; zod does not catch
 * what a transform throws. Parsed params come out exactly as before.
 */
export const withInvalidParamsError = <T extends AnyObjectSchema>(requestSchema: T): T => {
  if (!(requestSchema instanceof z.ZodObject)) return requestSchema;
  const { method: methodSchema, params: paramsSchema }: Record<string, unknown> = requestSchema.shape;
  if (!(methodSchema instanceof z.ZodLiteral) || !(paramsSchema instanceof z.ZodType)) return requestSchema;
  const method = String(methodSchema.value);

  const checkedParams = z.unknown().transform((params) => {
    const parsed = paramsSchema.safeParse(params, { reportInput: true });
    if (!parsed.success) throw new JsonRpcError(jsonRpcErrorCodes.InvalidParams, invalidParamsMessage(method, parsed.error.issues));
    return parsed.data;
  });
  // Only the failure changes, so the schema keeps the output type of the one it wraps.
  return requestSchema.extend({ params: paramsSchema.isOptional() ? checkedParams.optional() : checkedParams }) as unknown as T;
};

/** What is wrong with a request's params, in words, each problem naming its field: `"name" is required`. */
export const invalidParamsMessage = (method: string, issues: readonly z.core.$ZodIssue[]): string =>
  `Invalid params for ${method}: ${issues.map(describeIssue).join('; ')}.`;

const describeIssue = (issue: z.core.$ZodIssue): string => {
  const field = quotedField(issue.path);
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `${field} is required` : `${field} must be ${typeInWords(issue.expected)}`;
    case 'invalid_value':
      return `${field} must be ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${quotedField([...issue.path, key])} is not allowed`).join('; ');
    case 'invalid_union': {
      if (issue.input === undefined) return `${field} is required`;
      const expected = expectedTypesOfUnion(issue.errors);
      return expected ? `${field} must be ${expected.map(typeInWords).join(' or ')}` : `${field} is not valid`;
    }
    default:
      return `${field} is not valid`;
  }
};

/** The types a union accepts, when each of its options failed only on the type of the value itself. */
const expectedTypesOfUnion = (optionIssues: readonly (readonly z.core.$ZodIssue[])[]): string[] | undefined => {
  const expected = optionIssues.map((issues) => {
    const [issue] = issues;
    return issues.length === 1 && issue.code === 'invalid_type' && issue.path.length === 0 ? issue.expected : undefined;
  });
  return expected.every((type) => type !== undefined) ? expected : undefined;
};

/** `params`, `cursor`, `_meta.progressToken`, `messages[0].role`. */
const quotedField = (path: readonly PropertyKey[]): string => {
  const name = path
    .map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`))
    .join('');
  return `"${name || 'params'}"`;
};

const typeInWords = (expected: string): string => {
  switch (expected) {
    case 'object':
    case 'record':
      return 'an object';
    case 'array':
    case 'tuple':
      return 'an array';
    case 'int':
      return 'an integer';
    case 'bigint':
      return 'a number';
    case 'null':
      return 'null';
    default:
      return `a ${expected}`;
  }
};

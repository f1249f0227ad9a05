import { invalidRequest } from '../errors.js';
import { describePath } from '../validation.js';

/** DynamoDB caps an item at 400 KB; this leaves room for attribute names and the stored fields around the record. */
const maxRecordBytes = 256 * 1024;
/** DynamoDB nests maps and lists at most 32 levels deep, counting the item itself. */
const maxDepth = 30;
/** Magnitudes that can be stored as a number (besides 0): DynamoDB's smallest, and the largest the SDK marshals from a JS number. */
const smallestMagnitude = 1e-130;
const largestMagnitude = Number.MAX_SAFE_INTEGER;

const reservedFieldNames = new Set(['__proto__', 'constructor']);

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A record field by its API name: `maxBudget` → `max_budget`. */
const apiName = (field: string) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/**
 * 400 unless a key or team record can be written to DynamoDB as it is: not too
 * large, not too deep, numbers within DynamoDB's range, strings valid Unicode,
 * no field the marshaller mistakes for object machinery (`__proto__`, `constructor`).
 * Without it such input (a huge or deeply nested `metadata`, `max_budget: 1e300`)
 * would fail at the write with a 500.
 */
export const assertStorable = (record: object): void => {
  const bytes = new TextEncoder().encode(JSON.stringify(record)).byteLength;
  if (bytes > maxRecordBytes) {
    throw invalidRequest(`The record would take ${bytes} bytes; at most ${maxRecordBytes} can be stored (metadata and lists included).`, null, 'record_too_large');
  }
  const pending: Array<{ value: unknown; path: PropertyKey[] }> = Object.entries(record).map(([field, value]) => ({ value, path: [apiName(field)] }));
  while (pending.length > 0) {
    const { value, path } = pending.pop()!;
    const refuse = (problem: string) => invalidRequest(`Invalid value for "${describePath(path)}": ${problem}`, describePath(path), 'invalid_value');
    if (typeof value === 'number') {
      const magnitude = Math.abs(value);
      if (magnitude !== 0 && (magnitude < smallestMagnitude || magnitude > largestMagnitude)) throw refuse(`a number outside the storable range (1e-130 to ${largestMagnitude})`);
    } else if (typeof value === 'string') {
      if (loneSurrogate.test(value)) throw refuse('text with an unpaired surrogate (not valid Unicode)');
    } else if (typeof value === 'object' && value !== null) {
      if (path.length >= maxDepth) throw refuse(`nested more than ${maxDepth} levels deep`);
      for (const [field, child] of Object.entries(value)) {
        if (loneSurrogate.test(field)) throw refuse('a field name with an unpaired surrogate (not valid Unicode)');
        // The DynamoDB document marshaller takes an object with these as a class instance or loses the field.
        if (reservedFieldNames.has(field)) throw refuse(`a field named "${field}", which cannot be stored`);
        pending.push({ value: child, path: [...path, Array.isArray(value) ? Number(field) : field] });
      }
    }
  }
};

import type { SearchFilter } from '../../core/knowledge/knowledge-service.js';

type AttributeValue = string | number | boolean;

const compare = (left: AttributeValue, right: AttributeValue): number | undefined => {
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  return undefined;
};

/**
 * Whether attributes satisfy an OpenAI vector-store filter. A comparison on a
 * missing attribute is false, except `ne` and `nin`, which hold (as in
 * Bedrock, where `notEquals` also returns documents without the key).
 */
export const matchesFilter = (filter: SearchFilter, attributes: Readonly<Record<string, AttributeValue>>): boolean => {
  switch (filter.type) {
    case 'and':
      return filter.filters.every((inner) => matchesFilter(inner, attributes));
    case 'or':
      return filter.filters.some((inner) => matchesFilter(inner, attributes));
    case 'in':
    case 'nin': {
      const value = attributes[filter.key];
      const found = value !== undefined && typeof value !== 'boolean' && filter.value.includes(value);
      return filter.type === 'in' ? found : !found;
    }
    case 'eq':
      return attributes[filter.key] === filter.value;
    case 'ne':
      return attributes[filter.key] !== filter.value;
    default: {
      const value = attributes[filter.key];
      if (value === undefined) return false;
      const difference = compare(value, filter.value);
      if (difference === undefined) return false;
      if (filter.type === 'gt') return difference > 0;
      if (filter.type === 'gte') return difference >= 0;
      if (filter.type === 'lt') return difference < 0;
      return difference <= 0;
    }
  }
};

import type { RetrievalFilter } from '@aws-sdk/client-bedrock-agent-runtime';
import type { SearchFilter } from '../../core/knowledge/knowledge-service.js';

/**
 * An OpenAI vector-store filter as a Bedrock `RetrievalFilter`. Bedrock wants
 * at least two members in `andAll`/`orAll`, so a one-member compound becomes
 * its member; an empty one filters nothing and disappears.
 */
export const convertToBedrockFilter = (filter: SearchFilter): RetrievalFilter | undefined => {
  switch (filter.type) {
    case 'and':
    case 'or': {
      const members = filter.filters.map(convertToBedrockFilter).filter((member): member is RetrievalFilter => member !== undefined);
      if (members.length <= 1) return members[0];
      return filter.type === 'and' ? { andAll: members } : { orAll: members };
    }
    case 'eq':
      return { equals: { key: filter.key, value: filter.value } };
    case 'ne':
      return { notEquals: { key: filter.key, value: filter.value } };
    case 'gt':
      return { greaterThan: { key: filter.key, value: filter.value } };
    case 'gte':
      return { greaterThanOrEquals: { key: filter.key, value: filter.value } };
    case 'lt':
      return { lessThan: { key: filter.key, value: filter.value } };
    case 'lte':
      return { lessThanOrEquals: { key: filter.key, value: filter.value } };
    case 'in':
      return { in: { key: filter.key, value: filter.value } };
    case 'nin':
      return { notIn: { key: filter.key, value: filter.value } };
  }
};

import { describe, expect, it } from 'vitest';
import { convertToBedrockFilter } from '../../../functions/knowledge/bedrock/convert-to-bedrock-filter.js';

describe('convertToBedrockFilter', () => {
  it('maps each OpenAI comparison to its Bedrock operator', () => {
    const cases = [
      ['eq', 'equals'],
      ['ne', 'notEquals'],
      ['gt', 'greaterThan'],
      ['gte', 'greaterThanOrEquals'],
      ['lt', 'lessThan'],
      ['lte', 'lessThanOrEquals'],
    ] as const;
    for (const [type, operator] of cases) {
      expect(convertToBedrockFilter({ type, key: 'year', value: 2024 })).toEqual({ [operator]: { key: 'year', value: 2024 } });
    }
    expect(convertToBedrockFilter({ type: 'in', key: 'team', value: ['a', 'b'] })).toEqual({ in: { key: 'team', value: ['a', 'b'] } });
    expect(convertToBedrockFilter({ type: 'nin', key: 'team', value: ['c'] })).toEqual({ notIn: { key: 'team', value: ['c'] } });
  });

  it('nests and/or as andAll/orAll', () => {
    expect(
      convertToBedrockFilter({
        type: 'and',
        filters: [
          { type: 'eq', key: 'department', value: 'finance' },
          {
            type: 'or',
            filters: [
              { type: 'gte', key: 'year', value: 2023 },
              { type: 'eq', key: 'approved', value: true },
            ],
          },
        ],
      }),
    ).toEqual({
      andAll: [
        { equals: { key: 'department', value: 'finance' } },
        { orAll: [{ greaterThanOrEquals: { key: 'year', value: 2023 } }, { equals: { key: 'approved', value: true } }] },
      ],
    });
  });

  it('collapses one-member compounds, which Bedrock refuses (andAll/orAll need two members)', () => {
    expect(
      convertToBedrockFilter({
        type: 'and',
        filters: [{ type: 'or', filters: [{ type: 'eq', key: 'team', value: 'hr' }] }],
      }),
    ).toEqual({ equals: { key: 'team', value: 'hr' } });
    expect(
      convertToBedrockFilter({
        type: 'or',
        filters: [{ type: 'and', filters: [] }, { type: 'lt', key: 'year', value: 2020 }],
      }),
    ).toEqual({ lessThan: { key: 'year', value: 2020 } });
    expect(convertToBedrockFilter({ type: 'and', filters: [] })).toBeUndefined();
  });
});

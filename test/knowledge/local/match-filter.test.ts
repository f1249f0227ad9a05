import { describe, expect, it } from 'vitest';
import { matchesFilter } from '../../../functions/knowledge/local/match-filter.js';

const attributes = { path: 'guides/keys.md', year: 2024, draft: false };

describe('matchesFilter', () => {
  it('compares numbers as numbers and strings lexically', () => {
    expect(matchesFilter({ type: 'gt', key: 'year', value: 2023 }, attributes)).toBe(true);
    expect(matchesFilter({ type: 'lte', key: 'year', value: 2023 }, attributes)).toBe(false);
    expect(matchesFilter({ type: 'lt', key: 'path', value: 'h' }, attributes)).toBe(true);
  });

  it('never orders values of different types', () => {
    expect(matchesFilter({ type: 'gt', key: 'year', value: '2023' }, attributes)).toBe(false);
    expect(matchesFilter({ type: 'lt', key: 'year', value: '2023' }, attributes)).toBe(false);
  });

  it('treats a missing attribute as not matching, except for ne and nin', () => {
    expect(matchesFilter({ type: 'eq', key: 'team', value: 'x' }, attributes)).toBe(false);
    expect(matchesFilter({ type: 'gte', key: 'team', value: 'x' }, attributes)).toBe(false);
    expect(matchesFilter({ type: 'in', key: 'team', value: ['x'] }, attributes)).toBe(false);
    expect(matchesFilter({ type: 'ne', key: 'team', value: 'x' }, attributes)).toBe(true);
    expect(matchesFilter({ type: 'nin', key: 'team', value: ['x'] }, attributes)).toBe(true);
  });

  it('matches booleans by equality', () => {
    expect(matchesFilter({ type: 'eq', key: 'draft', value: false }, attributes)).toBe(true);
    expect(matchesFilter({ type: 'ne', key: 'draft', value: true }, attributes)).toBe(true);
  });
});

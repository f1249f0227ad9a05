import { describe, expect, it } from 'vitest';
import { cachedLoader, tableNamesFrom } from '../../functions/handlers/lambda-runtime.js';

describe('cachedLoader', () => {
  it('reads a value once within the time to live and again after it', async () => {
    let clock = 0;
    const reads: string[] = [];
    const load = cachedLoader(async (id: string) => {
      reads.push(id);
      return `value-${reads.length}`;
    }, 1000, () => clock);

    expect(await load('github-token')).toBe('value-1');
    clock = 999;
    expect(await load('github-token')).toBe('value-1');
    clock = 1000;
    expect(await load('github-token')).toBe('value-2');
    expect(reads).toEqual(['github-token', 'github-token']);
  });

  it('forgets a failed read so the next request tries again', async () => {
    let attempts = 0;
    const load = cachedLoader(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('throttled');
      return 'value';
    }, 60_000);

    await expect(load('openai-key')).rejects.toThrow('throttled');
    expect(await load('openai-key')).toBe('value');
    expect(attempts).toBe(2);
  });
});

describe('tableNamesFrom', () => {
  it('reads each table name from the variable its definition names', () => {
    expect(tableNamesFrom({ TOLLWAY_KEYS_TABLE: 'k', TOLLWAY_BUDGETS_TABLE: 'b', TOLLWAY_USAGE_TABLE: 'u' })).toEqual({ keys: 'k', budgets: 'b', usage: 'u' });
  });

  it('names the missing variable', () => {
    expect(() => tableNamesFrom({ TOLLWAY_KEYS_TABLE: 'k', TOLLWAY_USAGE_TABLE: 'u' })).toThrow('TOLLWAY_BUDGETS_TABLE');
  });
});

import { invalidRequest } from '../errors.js';

export interface Paging {
  page: number;
  size: number;
}

const positiveInteger = (text: string | null, fallback: number, param: string): number => {
  if (text === null) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw invalidRequest(`"${param}" must be a positive integer.`, param);
  return value;
};

/** `page` (from 1) and `size` (at most 500) query parameters, as LiteLLM lists take them. */
export const pagingOf = (query: URLSearchParams): Paging => ({
  page: positiveInteger(query.get('page'), 1, 'page'),
  size: Math.min(positiveInteger(query.get('size'), 50, 'size'), 500),
});

/** One page of an already sorted list, with LiteLLM's counters. */
export const pageOf = <Item>(all: Item[], paging: Paging) => ({
  items: all.slice((paging.page - 1) * paging.size, paging.page * paging.size),
  total_count: all.length,
  current_page: paging.page,
  total_pages: Math.max(1, Math.ceil(all.length / paging.size)),
});

/** Display formats: money, counts, times. */

export const usd = (value: number | null | undefined): string => {
  if (value === null || value === undefined) return '—';
  if (value === 0) return '$0';
  if (Math.abs(value) < 0.01) return `$${value.toPrecision(3)}`;
  return `$${value.toFixed(2)}`;
};

export const count = (value: number | null | undefined): string => (value === null || value === undefined ? '—' : value.toLocaleString('en-US'));

export const milliseconds = (value: number | null | undefined): string => (value === null || value === undefined ? '—' : `${Math.round(value).toLocaleString('en-US')} ms`);

export const time = (iso: string | null | undefined): string => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) : '—');

export const list = (values: readonly string[] | null | undefined, empty = 'all'): string => (values && values.length > 0 ? values.join(', ') : empty);

/** "a, b , c" → ["a", "b", "c"] */
export const parseList = (text: string): string[] =>
  text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);

/** A plain-text table: a header row, then one row per item, columns padded to their widest cell. */
export const renderTable = (columns: string[], rows: Array<Array<string | number | null | undefined>>): string => {
  const cells = rows.map((row) => row.map((cell) => (cell === null || cell === undefined || cell === '' ? '-' : String(cell))));
  const widths = columns.map((column, index) => Math.max(column.length, ...cells.map((row) => row[index]?.length ?? 0)));
  const line = (row: string[]) =>
    row
      .map((cell, index) => cell.padEnd(widths[index]))
      .join('  ')
      .trimEnd();
  return [line(columns), ...cells.map(line)].join('\n');
};

/** Dollars with the digits small amounts need. */
export const usd = (value: unknown): string | undefined => {
  if (typeof value !== 'number') return undefined;
  return value === 0 ? '$0' : value >= 0.01 ? `$${value.toFixed(2)}` : `$${value.toPrecision(2)}`;
};

/** A list (allowlist) as `a,b`, or `all` when empty. */
export const listOf = (value: unknown): string => (Array.isArray(value) && value.length > 0 ? value.join(',') : 'all');

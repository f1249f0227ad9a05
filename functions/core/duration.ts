const unitMilliseconds: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Durations as LiteLLM writes them: `30s`, `15m`, `1h`, `30d`. */
export const durationPattern = /^(\d{1,6})([smhd])$/;

/** Milliseconds in a duration such as `30d`; undefined when it is not one. */
export const parseDuration = (text: string): number | undefined => {
  const match = durationPattern.exec(text.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  return amount > 0 ? amount * unitMilliseconds[match[2]] : undefined;
};

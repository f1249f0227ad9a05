/**
 * Which `anthropic-beta` values each native upstream accepts: the one place
 * to change when a provider adds a beta. Anthropic takes every beta it
 * knows; Bedrock fails a whole request on a beta it does not (`invalid beta
 * flag`), so only the ones its Claude models take are sent as
 * `anthropic_beta`, and the rest are dropped and named in
 * `x-tollway-dropped-betas`. Sources: the Bedrock user guide's Claude
 * Messages API pages, and what Claude Code sends.
 */
const bedrockBetas: ReadonlySet<string> = new Set([
  'computer-use-2024-10-22',
  'computer-use-2025-01-24',
  'computer-use-2025-11-24',
  'token-efficient-tools-2025-02-19',
  'interleaved-thinking-2025-05-14',
  'output-128k-2025-02-19',
  'dev-full-thinking-2025-05-14',
  'context-1m-2025-08-07',
  'context-management-2025-06-27',
  'effort-2025-11-24',
  'tool-search-tool-2025-10-19',
  'tool-examples-2025-10-29',
  'fine-grained-tool-streaming-2025-05-14',
  'compact-2026-01-12',
]);

const allowlists: Record<string, ReadonlySet<string> | 'all'> = {
  anthropic: 'all',
  bedrock: bedrockBetas,
};

/** The betas of an `anthropic-beta` header (comma-separated, possibly repeated), trimmed and deduplicated. */
export const betasOf = (header: string | null): string[] => [
  ...new Set(
    (header ?? '')
      .split(',')
      .map((beta) => beta.trim())
      .filter((beta) => beta.length > 0),
  ),
];

/** The betas a provider's native Messages API takes, and the ones it would refuse. */
export const narrowBetas = (provider: string, betas: readonly string[]): { sent: string[]; dropped: string[] } => {
  const allowed = allowlists[provider];
  if (allowed === 'all') return { sent: [...betas], dropped: [] };
  const sent = betas.filter((beta) => allowed?.has(beta) === true);
  return { sent, dropped: betas.filter((beta) => !sent.includes(beta)) };
};

/** The `_meta` keys of the MCP 2026-07-28 request envelope (protocol version, client capabilities...). */
const revisionEnvelopePrefix = 'io.modelcontextprotocol/';

/**
 * Params as an upstream session of an earlier revision takes them: without
 * the 2026-07-28 envelope a client may put in `_meta`, which such an upstream
 * does not expect and an SDK v2 server reads as a 2026-07-28 request (and
 * refuses on a 2025 session). The rest of `_meta` (a progress token) stays.
 */
export const withoutRevisionEnvelope = <Params extends { _meta?: Record<string, unknown> } | undefined>(params: Params): Params => {
  const meta = params?._meta;
  if (!meta || !Object.keys(meta).some((key) => key.startsWith(revisionEnvelopePrefix))) return params;
  const kept = Object.fromEntries(Object.entries(meta).filter(([key]) => !key.startsWith(revisionEnvelopePrefix)));
  const { _meta: _envelope, ...rest } = params as NonNullable<Params>;
  return (Object.keys(kept).length > 0 ? { ...rest, _meta: kept } : rest) as Params;
};

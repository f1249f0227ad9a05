import { describe, expect, it } from 'vitest';
import { withoutRevisionEnvelope } from '../../functions/mcp/request-meta.js';

describe('withoutRevisionEnvelope', () => {
  it('drops the 2026-07-28 envelope keys and keeps the rest of _meta', () => {
    const params = {
      name: 'echo',
      arguments: { text: 'hi' },
      _meta: { progressToken: 7, 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} },
    };
    expect(withoutRevisionEnvelope(params)).toEqual({ name: 'echo', arguments: { text: 'hi' }, _meta: { progressToken: 7 } });
  });

  it('drops _meta when only the envelope was in it, and leaves other params as they are', () => {
    expect(withoutRevisionEnvelope({ uri: 'test://x', _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } })).toEqual({ uri: 'test://x' });
    const untouched = { cursor: 'c', _meta: { progressToken: 'p' } };
    expect(withoutRevisionEnvelope(untouched)).toBe(untouched);
    expect(withoutRevisionEnvelope(undefined)).toBeUndefined();
  });
});

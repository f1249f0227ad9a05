/**
 * What a virtual key may read about itself on the `key_or_master` routes
 * (LiteLLM lets a key call `GET /key/info` with itself as the bearer): its
 * own key info and its own spend logs, never another key's. The master key
 * reads everything, and on the read-only MCP and knowledge-base routes acts
 * as a caller with every allowlist open.
 */
import { hashKey } from '../auth/key-hash.js';
import type { Caller } from '../auth/authenticate.js';
import { GatewayError } from '../errors.js';
import { emptyLimitSettings } from './limit-settings.js';

/** Query parameters that name a key on `/key/info` and `/spend/logs`. */
const keyParameters = ['key', 'key_id', 'api_key'] as const;

const otherKeyRefused = (param: string) =>
  new GatewayError(403, 'A virtual key may only read its own key info and spend logs; use the master key for others.', { code: 'not_own_key', param });

/** Whether a key reference (the key itself, or its key_id) names `keyId`. */
const namesKey = (reference: string, keyId: string) => reference === keyId || hashKey(reference) === keyId;

/**
 * The query scoped to the caller's own key: a key named in it must be the
 * caller's (403 otherwise), and `key_id` is set to it whatever was given.
 */
export const ownKeyQuery = (query: URLSearchParams, caller: Caller): URLSearchParams => {
  const scoped = new URLSearchParams(query);
  for (const param of keyParameters) {
    for (const reference of query.getAll(param)) if (!namesKey(reference, caller.key.keyId)) throw otherKeyRefused(param);
    scoped.delete(param);
  }
  scoped.set('key_id', caller.key.keyId);
  // Team rows other keys wrote are not this key's to read: the key filter alone bounds the result.
  return scoped;
};

/** The master key on read-only key routes: no key record, every allowlist open, no limits. */
export const masterCaller = (now: Date): Caller => ({
  key: { ...emptyLimitSettings(now.toISOString()), keyId: 'master', keyHint: 'master key', keyAlias: 'master' },
});

import { GatewayError } from '../errors.js';
import type { KeyRecord } from '../keys/key-record.js';
import type { KeyCache } from './key-cache.js';
import { hashKey, presentedKey, secretsEqual } from './key-hash.js';

const unauthorized = (message: string) => new GatewayError(401, message, { code: 'invalid_api_key' });

/** Resolves the caller's virtual key, or throws 401 (missing, unknown, expired, blocked). */
export const authenticateKey = async (headers: Headers, keys: KeyCache, now: Date): Promise<KeyRecord> => {
  const key = presentedKey(headers);
  if (!key) throw unauthorized('Missing API key. Send it as "Authorization: Bearer <key>".');
  const record = await keys.get(hashKey(key));
  if (!record) throw unauthorized('Invalid API key.');
  if (record.blocked) throw unauthorized('This API key is blocked.');
  if (record.expires && Date.parse(record.expires) <= now.getTime()) throw unauthorized('This API key has expired.');
  return record;
};

/** Admin routes take the master key, compared in constant time. */
export const authenticateMaster = async (headers: Headers, masterKey: () => Promise<string>): Promise<void> => {
  const key = presentedKey(headers);
  if (!key) throw unauthorized('Missing master key. Send it as "Authorization: Bearer <master key>".');
  if (!secretsEqual(key, await masterKey())) throw unauthorized('Admin routes need the master key.');
};

/** 403 unless the key's allowlist (empty = everything) holds `name`. */
export const assertAllowed = (allowlist: readonly string[], name: string, what: string): void => {
  if (allowlist.length > 0 && !allowlist.includes(name)) {
    throw new GatewayError(403, `This key may not use ${what} "${name}".`, { code: `${what.replace(/\s+/g, '_')}_not_allowed` });
  }
};

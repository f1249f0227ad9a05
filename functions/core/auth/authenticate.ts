import { GatewayError } from '../errors.js';
import type { KeyRecord, TeamRecord } from '../keys/key-record.js';
import type { RecordCache } from './record-cache.js';
import { hashKey, presentedKey, secretsEqual } from './key-hash.js';

/** Who is calling: a virtual key and the team it belongs to, if any. */
export interface Caller {
  key: KeyRecord;
  team?: TeamRecord;
}

const unauthorized = (message: string, code = 'invalid_api_key') => new GatewayError(401, message, { code });

/** The keys table could not be read: nothing is known about the caller yet, and trying again shortly may work. */
export const keysUnavailable = (cause: unknown) =>
  new GatewayError(503, 'API keys cannot be checked right now; try again shortly.', {
    type: 'server_error',
    code: 'keys_unavailable',
    headers: { 'retry-after': '1' },
    cause,
  });

/**
 * Resolves the caller's key and team from the in-memory caches (DynamoDB only
 * on a miss), or throws 401: missing, unknown, expired or blocked key, blocked team.
 */
export const authenticateCaller = async (
  headers: Headers,
  keys: RecordCache<KeyRecord>,
  teams: RecordCache<TeamRecord>,
  now: Date,
): Promise<Caller> => {
  const presented = presentedKey(headers);
  if (!presented) throw unauthorized('Missing API key. Send it as "Authorization: Bearer <key>".');
  const key = await keys.get(hashKey(presented));
  if (!key) throw unauthorized('Invalid API key.');
  if (key.blocked) throw unauthorized('This API key is blocked.', 'key_blocked');
  if (key.expires && Date.parse(key.expires) <= now.getTime()) throw unauthorized('This API key has expired.', 'key_expired');
  if (!key.teamId) return { key };
  const team = await teams.get(key.teamId);
  if (!team) throw unauthorized(`The team of this key ("${key.teamId}") no longer exists.`, 'team_not_found');
  if (team.blocked) throw unauthorized('The team of this key is blocked.', 'team_blocked');
  return { key, team };
};

/** Admin routes take the master key, compared in constant time. */
export const authenticateMaster = async (headers: Headers, masterKey: () => Promise<string>): Promise<void> => {
  const key = presentedKey(headers);
  if (!key) throw unauthorized('Missing master key. Send it as "Authorization: Bearer <master key>".');
  if (!secretsEqual(key, await masterKey())) throw unauthorized('Admin routes need the master key.');
};

/** A 401 for a key that is not a virtual key (blocked or expired keys are known ones). */
export const isUnknownKey = (error: unknown): boolean => error instanceof GatewayError && error.status === 401 && error.code === 'invalid_api_key';

/**
 * Whether the presented key is the master key (constant-time), for routes
 * either kind of key may call. A function not given the master key (its
 * read fails) knows no master key: false.
 */
export const isMasterKey = async (headers: Headers, masterKey: () => Promise<string>): Promise<boolean> => {
  const key = presentedKey(headers);
  if (key === undefined) return false;
  const expected = await masterKey().catch(() => undefined);
  return expected !== undefined && secretsEqual(key, expected);
};

/** Whether an allowlist (empty = everything) holds `name`. */
export const allows = (allowlist: readonly string[], name: string): boolean => allowlist.length === 0 || allowlist.includes(name);

/** Whether both the key and its team allow `name` in the given list. */
export const callerAllows = (caller: Caller, list: 'models' | 'mcpServers' | 'knowledgeBases', name: string): boolean =>
  allows(caller.key[list], name) && (!caller.team || allows(caller.team[list], name));

/** 403 unless the caller's key and team both allow `name`. */
export const assertCallerAllowed = (caller: Caller, list: 'models' | 'mcpServers' | 'knowledgeBases', name: string, what: string): void => {
  if (!callerAllows(caller, list, name)) {
    throw new GatewayError(403, `This key may not use ${what} "${name}".`, { code: `${what.replace(/\s+/g, '_')}_not_allowed` });
  }
};

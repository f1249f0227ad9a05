import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** SHA-256 hex of a key: the only form in which keys are stored. */
export const hashKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** A new virtual key: `sk-` and 32 random bytes, base64url. */
export const generateKey = (): string => `sk-${randomBytes(32).toString('base64url')}`;

/** `sk-...abcd` */
export const keyHint = (key: string): string => `${key.slice(0, 3)}...${key.slice(-4)}`;

/** Compares two secrets in time independent of where they differ (digests have equal length). */
export const secretsEqual = (given: string, expected: string): boolean =>
  timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());

/** The key from `Authorization: Bearer <key>` or `x-api-key`. */
export const presentedKey = (headers: Headers): string | undefined => {
  const authorization = headers.get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    return match ? match[1].trim() : undefined;
  }
  return headers.get('x-api-key')?.trim() || undefined;
};

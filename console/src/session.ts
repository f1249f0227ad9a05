/**
 * The signed-in key lives in this tab's sessionStorage only (gone when the tab
 * closes), never in localStorage, a cookie or a URL.
 */
const storageKey = 'tollway.console.session';

export type Role = 'master' | 'key';

export interface Session {
  key: string;
  role: Role;
}

export const loadSession = (): Session | undefined => {
  try {
    const stored = JSON.parse(sessionStorage.getItem(storageKey) ?? 'null') as Session | null;
    return stored && typeof stored.key === 'string' && (stored.role === 'master' || stored.role === 'key') ? stored : undefined;
  } catch {
    return undefined;
  }
};

export const saveSession = (session: Session) => sessionStorage.setItem(storageKey, JSON.stringify(session));

export const clearSession = () => sessionStorage.removeItem(storageKey);

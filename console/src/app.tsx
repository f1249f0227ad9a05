import { useEffect, useMemo, useState } from 'preact/hooks';
import { createApi } from './api';
import { KnowledgeBases } from './pages/knowledge';
import { Keys } from './pages/keys';
import { McpServers } from './pages/mcp-servers';
import { Models } from './pages/models';
import { MyKey } from './pages/my-key';
import { Overview } from './pages/overview';
import { SignIn } from './pages/sign-in';
import { SpendLogs } from './pages/spend-logs';
import { Teams } from './pages/teams';
import { clearSession, loadSession, saveSession, type Session } from './session';

interface PageEntry {
  id: string;
  label: string;
}

const masterPages: PageEntry[] = [
  { id: 'overview', label: 'Overview' },
  { id: 'keys', label: 'Keys' },
  { id: 'teams', label: 'Teams' },
  { id: 'logs', label: 'Spend logs' },
  { id: 'models', label: 'Models' },
  { id: 'mcp', label: 'MCP servers' },
  { id: 'knowledge', label: 'Knowledge bases' },
];

const keyPages: PageEntry[] = [
  { id: 'my-key', label: 'My key' },
  { id: 'overview', label: 'My usage' },
  { id: 'logs', label: 'Spend logs' },
  { id: 'mcp', label: 'MCP servers' },
  { id: 'knowledge', label: 'Knowledge bases' },
];

/** The page in the URL fragment (`#keys`): a page name only, never a key. */
const pageFromHash = () => window.location.hash.replace(/^#/, '');

export const App = () => {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const [page, setPage] = useState(pageFromHash);
  useEffect(() => {
    const onHash = () => setPage(pageFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const api = useMemo(() => (session ? createApi(session.key) : undefined), [session]);

  if (!session || !api) {
    return (
      <SignIn
        onSignedIn={(signedIn) => {
          saveSession(signedIn);
          setSession(signedIn);
        }}
      />
    );
  }
  const pages = session.role === 'master' ? masterPages : keyPages;
  const current = pages.find((entry) => entry.id === page) ?? pages[0];
  const scope = session.role === 'master' ? 'all' : 'own';
  const signOut = () => {
    clearSession();
    setSession(undefined);
  };

  return (
    <>
      <a class="skip-link" href="#main" onClick={(event) => { event.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Tollway</span>
        <span class="role" data-role={session.role}>{session.role === 'master' ? 'Administrator (master key)' : 'Virtual key'}</span>
        <button type="button" class="secondary" onClick={signOut}>Sign out</button>
      </header>
      <div class="layout">
        <nav aria-label="Console pages">
          <ul>
            {pages.map((entry) => (
              <li key={entry.id}>
                <a href={`#${entry.id}`} aria-current={entry.id === current.id ? 'page' : undefined}>{entry.label}</a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          {current.id === 'overview' && <Overview api={api} scope={scope} />}
          {current.id === 'keys' && <Keys api={api} />}
          {current.id === 'teams' && <Teams api={api} />}
          {current.id === 'logs' && <SpendLogs api={api} scope={scope} />}
          {current.id === 'models' && <Models api={api} />}
          {current.id === 'mcp' && <McpServers api={api} role={session.role} />}
          {current.id === 'knowledge' && <KnowledgeBases api={api} role={session.role} />}
          {current.id === 'my-key' && <MyKey api={api} />}
        </main>
      </div>
    </>
  );
};

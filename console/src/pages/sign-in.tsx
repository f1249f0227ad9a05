import { useState } from 'preact/hooks';
import { identify, messageOf } from '../api';
import { Notice } from '../components/ui';
import type { Session } from '../session';

/** Sign in with the master key (administration) or a virtual key (that key's own budget and usage). */
export const SignIn = ({ onSignedIn }: { onSignedIn: (session: Session) => void }) => {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const role = await identify(key.trim());
      onSignedIn({ key: key.trim(), role });
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in" id="main">
      <h1>Tollway console</h1>
      <form onSubmit={submit} aria-describedby="sign-in-help">
        <div class="field">
          <label for="api-key">API key</label>
          <input id="api-key" name="api-key" type="password" autocomplete="off" required value={key} onInput={(event) => setKey((event.currentTarget as HTMLInputElement).value)} />
        </div>
        <p id="sign-in-help" class="muted">
          The master key opens the administration pages; a virtual key shows that key's own budget, spend, limits and usage. The key is kept in this tab only.
        </p>
        <button type="submit" disabled={busy || key.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error && <Notice kind="error">{error}</Notice>}
      </form>
    </main>
  );
};

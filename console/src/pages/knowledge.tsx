import { useState } from 'preact/hooks';
import { messageOf, type Api, type Json } from '../api';
import { Loading, Notice, useLoad } from '../components/ui';
import { masterNotHeldHere } from './mcp-servers';

/** Knowledge bases: pick one, search it, read the passages and their scores. */
export const KnowledgeBases = ({ api, role }: { api: Api; role: 'master' | 'key' }) => {
  const stores = useLoad(async () => {
    try {
      return (await api.get('/v1/vector_stores')).data as Json[];
    } catch (error) {
      throw new Error(masterNotHeldHere(error, role) ?? messageOf(error));
    }
  }, []);
  const [store, setStore] = useState('');
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Json[]>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const chosen = store || stores.value?.[0]?.id || '';

  const search = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api.post(`/v1/vector_stores/${encodeURIComponent(chosen)}/search`, { query, max_num_results: 8 });
      setResults(answer.data as Json[]);
    } catch (failure) {
      setError(masterNotHeldHere(failure, role) ?? messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="knowledge-title">
      <header class="page-header">
        <h1 id="knowledge-title">Knowledge bases</h1>
      </header>
      {stores.error && <Notice kind="error">{stores.error}</Notice>}
      {stores.loading && <Loading what="knowledge bases" />}
      {stores.value && stores.value.length === 0 && <p class="muted">No knowledge bases are configured for this key.</p>}
      {stores.value && stores.value.length > 0 && (
        <form role="search" class="filters" onSubmit={search} aria-label="Search a knowledge base">
          <div class="field">
            <label for="knowledge-store">Knowledge base</label>
            <select id="knowledge-store" value={chosen} onChange={(event) => setStore((event.currentTarget as HTMLSelectElement).value)}>
              {stores.value.map((entry) => (
                <option key={entry.id} value={entry.id}>{entry.name ?? entry.id}</option>
              ))}
            </select>
          </div>
          <div class="field grow">
            <label for="knowledge-query">Search</label>
            <input id="knowledge-query" type="search" required value={query} onInput={(event) => setQuery((event.currentTarget as HTMLInputElement).value)} />
          </div>
          <button type="submit" disabled={busy || query.trim() === ''}>{busy ? 'Searching…' : 'Search'}</button>
        </form>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      {results && (
        <section aria-labelledby="knowledge-results" aria-live="polite">
          <h2 id="knowledge-results">{results.length} results</h2>
          <ol class="results">
            {results.map((result, index) => (
              <li key={`${result.file_id}-${index}`}>
                <p>
                  <strong>{result.filename ?? result.file_id}</strong> <span class="muted">score {Number(result.score).toFixed(3)}</span>
                </p>
                <blockquote>{(result.content as Json[] | undefined)?.map((part) => part.text).join(' ') ?? ''}</blockquote>
              </li>
            ))}
          </ol>
        </section>
      )}
    </section>
  );
};

import { useState } from 'preact/hooks';
import { messageOf, type Api, type Json } from '../api';
import { Badge, Loading, Notice, useLoad } from '../components/ui';
import { toCsv, download } from '../csv';
import { count, milliseconds, time, usd } from '../format';
import { fetchUsage, isError, maxOverviewRows, type UsageRow } from '../usage';

interface Filters {
  key_id: string;
  team_id: string;
  model: string;
  start_date: string;
  end_date: string;
  limit: string;
}

const csvColumns = [
  'request_id', 'created_at', 'key_id', 'key_alias', 'team_id', 'model', 'provider', 'deployment', 'route', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'spend',
  'latency_ms', 'time_to_first_token_ms', 'status', 'outcome', 'error_code',
];

const emptyFilters = (): Filters => ({ key_id: '', team_id: '', model: '', start_date: '', end_date: '', limit: '25' });

/** Spend logs: filtered, paginated by the API's cursor, exported as CSV (every matching row up to the cap). */
export const SpendLogs = ({ api, scope }: { api: Api; scope: 'all' | 'own' }) => {
  const [draft, setDraft] = useState<Filters>(emptyFilters);
  const [applied, setApplied] = useState<Filters>(emptyFilters);
  // Cursors of the pages before the current one, for "Previous page".
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [exporting, setExporting] = useState<string>();
  const cursor = cursors[cursors.length - 1];
  const query = (filters: Filters) => ({
    key_id: filters.key_id || undefined,
    team_id: filters.team_id || undefined,
    model: filters.model.trim() || undefined,
    start_date: filters.start_date || undefined,
    end_date: filters.end_date || undefined,
  });
  const logs = useLoad(() => api.get('/spend/logs', { ...query(applied), limit: applied.limit, cursor }), [applied, cursor]);
  const keys = useLoad(async () => (scope === 'all' ? ((await api.get('/key/list', { return_full_object: 'true', size: 500 })).keys as Json[]) : []), []);
  const teams = useLoad(async () => (scope === 'all' ? ((await api.get('/team/list', { size: 500 })).teams as Json[]) : []), []);

  const apply = (event: Event) => {
    event.preventDefault();
    setApplied(draft);
    setCursors([undefined]);
  };

  const exportCsv = async () => {
    setExporting('Exporting…');
    try {
      const { rows, truncated } = await fetchUsage(api, query(applied));
      download(`tollway-spend-logs-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.csv`, toCsv(csvColumns, rows as unknown as Record<string, unknown>[]));
      setExporting(`Exported ${count(rows.length)} rows${truncated ? ` (the first ${count(maxOverviewRows)})` : ''}.`);
    } catch (error) {
      setExporting(`Export failed: ${messageOf(error)}`);
    }
  };

  const set = (name: keyof Filters) => (event: Event) => setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement).value });
  const rows = (logs.value?.data as UsageRow[] | undefined) ?? [];

  return (
    <section aria-labelledby="logs-title">
      <header class="page-header">
        <h1 id="logs-title">Spend logs</h1>
        <button type="button" onClick={exportCsv}>Export CSV</button>
      </header>
      {exporting && <Notice kind="info">{exporting}</Notice>}
      <form class="filters" onSubmit={apply} aria-label="Filter spend logs">
        {scope === 'all' && (
          <>
            <div class="field">
              <label for="filter-key">Key</label>
              <select id="filter-key" value={draft.key_id} onChange={set('key_id')}>
                <option value="">All keys</option>
                {(keys.value ?? []).map((key) => (
                  <option key={key.key_id} value={key.key_id}>{key.key_alias ?? key.key_name}</option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="filter-team">Team</label>
              <select id="filter-team" value={draft.team_id} onChange={set('team_id')}>
                <option value="">All teams</option>
                {(teams.value ?? []).map((team) => (
                  <option key={team.team_id} value={team.team_id}>{team.team_alias ?? team.team_id}</option>
                ))}
              </select>
            </div>
          </>
        )}
        <div class="field">
          <label for="filter-model">Model</label>
          <input id="filter-model" value={draft.model} onInput={set('model')} />
        </div>
        <div class="field">
          <label for="filter-start">From</label>
          <input id="filter-start" type="date" value={draft.start_date} onInput={set('start_date')} />
        </div>
        <div class="field">
          <label for="filter-end">To</label>
          <input id="filter-end" type="date" value={draft.end_date} onInput={set('end_date')} />
        </div>
        <div class="field">
          <label for="filter-limit">Rows per page</label>
          <select id="filter-limit" value={draft.limit} onChange={set('limit')}>
            {['25', '50', '100', '500'].map((size) => (
              <option key={size} value={size}>{size}</option>
            ))}
          </select>
        </div>
        <button type="submit">Apply filters</button>
      </form>
      {logs.error && <Notice kind="error">{logs.error}</Notice>}
      {logs.loading && <Loading what="spend logs" />}
      <table aria-busy={logs.loading}>
        <caption>Requests, newest first (page {cursors.length})</caption>
        <thead>
          <tr>
            <th scope="col">Time (UTC)</th>
            <th scope="col">Key</th>
            <th scope="col">Team</th>
            <th scope="col">Model</th>
            <th scope="col">Tokens in / out</th>
            <th scope="col">Spend</th>
            <th scope="col">Latency</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.request_id} data-request-id={row.request_id}>
              <td>{time(row.created_at)}</td>
              <td>{row.key_alias ?? row.key_id.slice(0, 8)}</td>
              <td>{row.team_id ?? '—'}</td>
              <td>{row.model}</td>
              <td>{count(row.prompt_tokens)} / {count(row.completion_tokens)}</td>
              <td data-cell="spend">{usd(row.spend)}</td>
              <td>{milliseconds(row.latency_ms)}</td>
              <td>{isError(row) ? <Badge tone="bad">{row.status} {row.error_code ?? row.outcome}</Badge> : <Badge tone="good">{row.status}</Badge>}</td>
            </tr>
          ))}
          {logs.value && rows.length === 0 && (
            <tr>
              <td colSpan={8} class="muted">No requests match.</td>
            </tr>
          )}
        </tbody>
      </table>
      <nav class="pager" aria-label="Spend log pages">
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>Previous page</button>
        <button type="button" disabled={!logs.value?.has_more} onClick={() => setCursors([...cursors, logs.value?.next_cursor as string])}>Next page</button>
      </nav>
    </section>
  );
};

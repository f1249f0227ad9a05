import type { Api } from '../api';
import { Badge, Loading, Notice, useLoad } from '../components/ui';
import { count, list, time, usd } from '../format';

/** A virtual key's own page: its budget and what is left of it, spend this period, limits and allowlists. */
export const MyKey = ({ api }: { api: Api }) => {
  const info = useLoad(() => api.get('/key/info'), []);
  const key = info.value?.info;
  const used = key && key.max_budget ? Math.min(1, (key.spend + key.reserved_spend) / key.max_budget) : undefined;
  return (
    <section aria-labelledby="my-key-title">
      <header class="page-header">
        <h1 id="my-key-title">My key</h1>
        <button type="button" onClick={info.reload}>Refresh</button>
      </header>
      {info.error && <Notice kind="error">{info.error}</Notice>}
      {info.loading && !key && <Loading what="the key" />}
      {key && (
        <>
          <dl class="stats" aria-label="Budget">
            <div>
              <dt>Spend this period</dt>
              <dd data-stat="spend">{usd(key.spend)}</dd>
            </div>
            <div>
              <dt>Budget</dt>
              <dd data-stat="budget">{key.max_budget === null ? 'none' : usd(key.max_budget)}</dd>
            </div>
            <div>
              <dt>Remaining</dt>
              <dd data-stat="remaining">{key.remaining_budget === null ? 'unlimited' : usd(key.remaining_budget)}</dd>
            </div>
            <div>
              <dt>Requests this period</dt>
              <dd data-stat="requests">{count(key.period_requests)}</dd>
            </div>
          </dl>
          {used !== undefined && (
            <div class="field">
              <label for="budget-meter">Budget used</label>
              <meter id="budget-meter" min={0} max={1} high={0.8} value={used}>
                {Math.round(used * 100)} %
              </meter>
            </div>
          )}
          <table>
            <caption>Key details</caption>
            <tbody>
              <tr><th scope="row">Alias</th><td>{key.key_alias ?? '—'}</td></tr>
              <tr><th scope="row">Key</th><td><code>{key.key_name}</code></td></tr>
              <tr><th scope="row">Team</th><td>{key.team_id ?? '—'}</td></tr>
              <tr><th scope="row">Status</th><td>{key.blocked ? <Badge tone="bad">blocked</Badge> : <Badge tone="good">active</Badge>}</td></tr>
              <tr><th scope="row">Budget period</th><td>{key.budget_duration ?? 'never resets'}{key.budget_reset_at ? `, resets ${time(key.budget_reset_at)}` : ''}</td></tr>
              <tr><th scope="row">Reserved by requests in flight</th><td>{usd(key.reserved_spend)}</td></tr>
              <tr><th scope="row">Soft budget</th><td>{usd(key.soft_budget)}</td></tr>
              <tr><th scope="row">Rate limits</th><td>{key.rpm_limit ? `${key.rpm_limit} requests/min` : 'no rpm limit'}, {key.tpm_limit ? `${key.tpm_limit} tokens/min` : 'no tpm limit'}</td></tr>
              <tr><th scope="row">Tokens this period</th><td>{count(key.period_tokens)}</td></tr>
              <tr><th scope="row">Models</th><td>{list(key.models)}</td></tr>
              <tr><th scope="row">MCP servers</th><td>{list(key.mcp_servers)}</td></tr>
              <tr><th scope="row">Knowledge bases</th><td>{list(key.knowledge_bases)}</td></tr>
              <tr><th scope="row">Expires</th><td>{key.expires ? time(key.expires) : 'never'}</td></tr>
            </tbody>
          </table>
        </>
      )}
    </section>
  );
};

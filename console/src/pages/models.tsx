import type { Api, Json } from '../api';
import { Badge, Loading, Notice, useLoad } from '../components/ui';
import { count, milliseconds, time, usd } from '../format';

const healthTone = (health: string) => (health === 'healthy' ? 'good' : health === 'cooling_down' ? 'bad' : 'warn');

/** Models: every deployment, its routing weight and price, its cooldown (this gateway instance's) and the last hour's requests. */
export const Models = ({ api }: { api: Api }) => {
  const models = useLoad(() => api.get('/model/info'), []);
  const rows = (models.value?.data as Json[] | undefined) ?? [];
  return (
    <section aria-labelledby="models-title">
      <header class="page-header">
        <h1 id="models-title">Models</h1>
        <button type="button" onClick={models.reload}>Refresh</button>
      </header>
      {models.error && <Notice kind="error">{models.error}</Notice>}
      {models.loading && !models.value && <Loading what="models" />}
      {models.value && (
        <p class="muted">
          A deployment cools down after {models.value.cooldown.allowed_fails} failures in a minute, for {models.value.cooldown.cooldown_seconds} s. Cooldowns are kept by each gateway instance; the last hour's figures come from the usage records.
        </p>
      )}
      <table>
        <caption>Deployments ({rows.length})</caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Provider</th>
            <th scope="col">Upstream model</th>
            <th scope="col">Weight</th>
            <th scope="col">Price in / out per Mtok</th>
            <th scope="col">Health</th>
            <th scope="col">Cooldown until</th>
            <th scope="col">Last hour: requests / errors</th>
            <th scope="col">Mean latency</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((deployment) => (
            <tr key={`${deployment.model_name}-${deployment.deployment_index}`} data-model={deployment.model_name}>
              <th scope="row">
                {deployment.model_name}
                {deployment.mode === 'embedding' && <span class="muted"> (embeddings)</span>}
              </th>
              <td>{deployment.provider}</td>
              <td><code>{deployment.model}</code></td>
              <td>{deployment.weight}</td>
              <td>{deployment.price ? `${usd(deployment.price.input_per_mtok)} / ${usd(deployment.price.output_per_mtok)}` : '—'}</td>
              <td data-cell="health"><Badge tone={healthTone(deployment.health)}>{deployment.health.replace('_', ' ')}</Badge></td>
              <td data-cell="cooldown">{time(deployment.cooldown_until)}</td>
              <td data-cell="last-hour">{count(deployment.last_hour.requests)} / {count(deployment.last_hour.errors)}</td>
              <td>{milliseconds(deployment.last_hour.mean_latency_ms)}</td>
              <td>{deployment.last_hour.last_error_code ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
};

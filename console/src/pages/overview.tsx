import { useMemo, useState } from 'preact/hooks';
import type { Api } from '../api';
import { Chart } from '../components/chart';
import { Loading, Notice, useLoad } from '../components/ui';
import { count, milliseconds, usd } from '../format';
import { fetchUsage, isError, latencySeries, maxOverviewRows, percentile, seriesBy, usageRanges, type UsageRow } from '../usage';

const formatTokens = (value: number) => count(Math.round(value));
const formatRequests = (value: number) => count(Math.round(value));

interface ModelTotals {
  model: string;
  requests: number;
  errors: number;
  tokens: number;
  spend: number;
  latencies: number[];
}

const totalsByModel = (rows: readonly UsageRow[]): ModelTotals[] => {
  const byModel = new Map<string, ModelTotals>();
  for (const row of rows) {
    const totals = byModel.get(row.model) ?? { model: row.model, requests: 0, errors: 0, tokens: 0, spend: 0, latencies: [] };
    totals.requests += 1;
    totals.errors += isError(row) ? 1 : 0;
    totals.tokens += row.total_tokens;
    totals.spend += row.spend;
    totals.latencies.push(row.latency_ms);
    byModel.set(row.model, totals);
  }
  return [...byModel.values()].sort((left, right) => right.spend - left.spend || left.model.localeCompare(right.model));
};

/** Spend, tokens, requests, errors and latency over time: of every key (master) or of the signed-in key. */
export const Overview = ({ api, scope }: { api: Api; scope: 'all' | 'own' }) => {
  const [rangeIndex, setRangeIndex] = useState(1);
  const range = usageRanges[rangeIndex];
  const [loadedAt, setLoadedAt] = useState(Date.now());
  const usage = useLoad(async () => {
    const endMs = Date.now();
    const startMs = endMs - range.spanMs;
    const result = await fetchUsage(api, { start_date: new Date(startMs).toISOString(), end_date: new Date(endMs).toISOString() });
    return { ...result, startMs, endMs };
  }, [rangeIndex, loadedAt]);

  const charts = useMemo(() => {
    if (!usage.value) return undefined;
    const { rows, startMs, endMs } = usage.value;
    const window = { startMs, endMs, bucketMs: range.bucketMs };
    return {
      spendByModel: seriesBy(rows, window, (row) => row.model, (row) => row.spend),
      tokensByModel: seriesBy(rows, window, (row) => row.model, (row) => row.total_tokens),
      spendByTeam: seriesBy(rows, window, (row) => row.team_id ?? 'no team', (row) => row.spend),
      requests: seriesBy(rows, window, (row) => (isError(row) ? 'errors' : 'successes'), () => 1),
      latency: latencySeries(rows, window),
      models: totalsByModel(rows),
    };
  }, [usage.value]);

  const rows = usage.value?.rows ?? [];
  const errors = rows.filter(isError).length;
  const latencies = rows.map((row) => row.latency_ms);

  return (
    <section aria-labelledby="overview-title">
      <header class="page-header">
        <h1 id="overview-title">{scope === 'all' ? 'Overview' : 'My usage'}</h1>
        <div class="toolbar">
          <label for="overview-range">Range</label>
          <select id="overview-range" value={String(rangeIndex)} onChange={(event) => setRangeIndex(Number((event.currentTarget as HTMLSelectElement).value))}>
            {usageRanges.map((option, index) => (
              <option key={option.label} value={String(index)}>
                {option.label}
              </option>
            ))}
          </select>
          <button type="button" onClick={() => setLoadedAt(Date.now())}>
            Refresh
          </button>
        </div>
      </header>
      {usage.error && <Notice kind="error">{usage.error}</Notice>}
      {usage.loading && !usage.value && <Loading what="usage" />}
      {usage.value?.truncated && <Notice kind="info">This range holds more than {count(maxOverviewRows)} requests; the charts show the newest {count(maxOverviewRows)}.</Notice>}
      {charts && (
        <>
          <dl class="stats" aria-label="Totals for the range">
            <div>
              <dt>Spend</dt>
              <dd data-stat="spend">{usd(rows.reduce((sum, row) => sum + row.spend, 0))}</dd>
            </div>
            <div>
              <dt>Requests</dt>
              <dd data-stat="requests">{count(rows.length)}</dd>
            </div>
            <div>
              <dt>Errors</dt>
              <dd data-stat="errors">{count(errors)}</dd>
            </div>
            <div>
              <dt>Tokens</dt>
              <dd data-stat="tokens">{count(rows.reduce((sum, row) => sum + row.total_tokens, 0))}</dd>
            </div>
            <div>
              <dt>Latency p50 / p95</dt>
              <dd data-stat="latency">
                {milliseconds(percentile(latencies, 50))} / {milliseconds(percentile(latencies, 95))}
              </dd>
            </div>
          </dl>
          <div class="charts">
            <Chart id="chart-spend-model" title="Spend by model" x={charts.spendByModel.x} lines={charts.spendByModel.lines} format={usd} />
            <Chart id="chart-tokens-model" title="Tokens by model" x={charts.tokensByModel.x} lines={charts.tokensByModel.lines} format={formatTokens} />
            {scope === 'all' && <Chart id="chart-spend-team" title="Spend by team" x={charts.spendByTeam.x} lines={charts.spendByTeam.lines} format={usd} />}
            <Chart id="chart-requests" title="Requests and errors" x={charts.requests.x} lines={charts.requests.lines} format={formatRequests} />
            <Chart id="chart-latency" title="Latency" x={charts.latency.x} lines={charts.latency.lines} format={milliseconds} summable={false} />
          </div>
          <table>
            <caption>By model</caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Requests</th>
                <th scope="col">Errors</th>
                <th scope="col">Tokens</th>
                <th scope="col">Spend</th>
                <th scope="col">Latency p50</th>
              </tr>
            </thead>
            <tbody>
              {charts.models.map((totals) => (
                <tr key={totals.model}>
                  <th scope="row">{totals.model}</th>
                  <td>{count(totals.requests)}</td>
                  <td>{count(totals.errors)}</td>
                  <td>{count(totals.tokens)}</td>
                  <td>{usd(totals.spend)}</td>
                  <td>{milliseconds(percentile(totals.latencies, 50))}</td>
                </tr>
              ))}
              {charts.models.length === 0 && (
                <tr>
                  <td colSpan={6} class="muted">
                    No requests in this range.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
};

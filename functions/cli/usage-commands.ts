import { text, type CliValues } from './cli-options.js';
import type { CommandResult } from './admin-commands.js';
import { CliError, type GatewayClient } from './gateway-client.js';
import { renderTable, usd } from './table.js';

type Row = Record<string, unknown>;

/** `tollway spend`: GET /spend/logs (filters --key-id, --team, --model, --start, --end, --limit), newest first, with the total. */
export const spendCommand = async (client: GatewayClient, values: CliValues): Promise<CommandResult> => {
  const logs = (await client.get('/spend/logs', {
    key_id: text(values, 'key-id'),
    team_id: text(values, 'team'),
    model: text(values, 'model'),
    start_date: text(values, 'start'),
    end_date: text(values, 'end'),
    limit: text(values, 'limit'),
  })) as { data: Row[]; has_more: boolean; next_cursor: string | null };
  if (logs.data.length === 0) return { data: logs, text: 'no usage records in this range (the last 30 days unless --start/--end say otherwise)' };
  const total = logs.data.reduce((sum, record) => sum + (typeof record.spend === 'number' ? record.spend : 0), 0);
  const table = renderTable(
    ['time', 'status', 'model', 'key', 'team', 'tokens', 'cost', 'latency', 'error'],
    logs.data.map((record) => [
      String(record.created_at ?? '').replace('T', ' ').slice(0, 19),
      record.status as number,
      record.model as string,
      (record.key_alias as string) ?? String(record.key_id ?? '').slice(0, 12),
      record.team_id as string,
      record.total_tokens as number,
      usd(record.spend),
      typeof record.latency_ms === 'number' ? `${Math.round(record.latency_ms)}ms` : undefined,
      record.error_code as string,
    ]),
  );
  const more = logs.has_more ? ' (more records exist: narrow --start/--end or raise --limit)' : '';
  return { data: logs, text: `${table}\n\n${logs.data.length} requests, ${usd(total)}${more}` };
};

/**
 * `tollway models`: with the master key, GET /model/info (every deployment,
 * its health and cooldown); with a virtual key, GET /v1/models (what that key may use).
 */
export const modelsCommand = async (client: GatewayClient): Promise<CommandResult> => {
  let info: { data: Row[] } | undefined;
  try {
    info = (await client.get('/model/info')) as { data: Row[] };
  } catch (error) {
    // A virtual key may not read /model/info: it sees its own models instead.
    if (!(error instanceof CliError && /: 40[13]/.test(error.message))) throw error;
  }
  if (info) {
    const table = renderTable(
      ['model', 'provider', 'upstream', 'mode', 'health', 'cooldown_until', 'requests_1h', 'errors_1h'],
      info.data.map((entry) => {
        const lastHour = (entry.last_hour ?? {}) as Row;
        return [
          entry.model_name as string,
          entry.provider as string,
          entry.model as string,
          entry.mode as string,
          entry.health as string,
          entry.cooldown_until as string,
          lastHour.requests as number,
          lastHour.errors as number,
        ];
      }),
    );
    return { data: info, text: table };
  }
  const models = (await client.get('/v1/models')) as { data: Row[] };
  return { data: models, text: renderTable(['model', 'owned_by'], models.data.map((model) => [model.id as string, model.owned_by as string])) };
};

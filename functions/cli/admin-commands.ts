import { settingsOf, text, type CliValues } from './cli-options.js';
import { CliError, type GatewayClient } from './gateway-client.js';
import { listOf, renderTable, usd } from './table.js';

/** What a command prints: data for `--json`, and the text a person reads. */
export interface CommandResult {
  data: unknown;
  text: string;
}

type Described = Record<string, unknown>;

const keyColumns = ['key_id', 'alias', 'team', 'models', 'max_budget', 'spend', 'rpm', 'blocked', 'expires'];
const keyRow = (key: Described) => [
  String(key.key_id ?? key.token ?? '').slice(0, 12),
  key.key_alias as string,
  key.team_id as string,
  listOf(key.models),
  usd(key.max_budget),
  usd(key.spend),
  key.rpm_limit as number,
  key.blocked ? 'yes' : 'no',
  key.expires as string,
];

const teamColumns = ['team_id', 'alias', 'models', 'max_budget', 'spend', 'rpm', 'blocked'];
const teamRow = (team: Described) => [
  team.team_id as string,
  team.team_alias as string,
  listOf(team.models),
  usd(team.max_budget),
  usd(team.spend),
  team.rpm_limit as number,
  team.blocked ? 'yes' : 'no',
];

const needWord = (word: string | undefined, what: string, usage: string): string => {
  if (!word) throw new CliError(`Give the ${what}: ${usage}`);
  return word;
};

/** `tollway keys create|list|info|update|block|unblock|delete`: the /key/* admin routes. */
export const keysCommand = async (client: GatewayClient, verb: string | undefined, words: string[], values: CliValues): Promise<CommandResult> => {
  const keyBody = () => ({
    ...settingsOf(values),
    ...(text(values, 'alias') !== undefined ? { key_alias: text(values, 'alias') } : {}),
    ...(text(values, 'team') !== undefined ? { team_id: text(values, 'team') } : {}),
    ...(text(values, 'duration') !== undefined ? { duration: text(values, 'duration') } : {}),
    ...(text(values, 'expires') !== undefined ? { expires: text(values, 'expires') } : {}),
  });
  const reference = () => needWord(words[0], 'key (sk-... or its key_id)', `tollway keys ${verb} <key>`);
  switch (verb) {
    case 'create': {
      const created = (await client.post('/key/generate', keyBody())) as Described;
      return { data: created, text: `${renderTable(keyColumns, [keyRow(created)])}\n\nkey (shown once, keep it): ${created.key}` };
    }
    case 'list': {
      const listed = (await client.get('/key/list', { return_full_object: 'true', team_id: text(values, 'team'), page: text(values, 'page'), size: text(values, 'size') })) as {
        keys: Described[];
        total_count?: number;
      };
      return { data: listed, text: listed.keys.length === 0 ? 'no keys' : renderTable(keyColumns, listed.keys.map(keyRow)) };
    }
    case 'info': {
      const info = (await client.get('/key/info', { key: reference() })) as { info: Described };
      return { data: info, text: renderTable(keyColumns, [keyRow(info.info)]) };
    }
    case 'update':
    case 'block':
    case 'unblock': {
      const changes = verb === 'update' ? keyBody() : { blocked: verb === 'block' };
      if (Object.keys(changes).length === 0) throw new CliError('Nothing to update: give a flag such as --max-budget 10 or --models echo (tollway --help).');
      const updated = (await client.post('/key/update', { key: reference(), ...changes })) as Described;
      return { data: updated, text: renderTable(keyColumns, [keyRow(updated)]) };
    }
    case 'delete': {
      const alias = text(values, 'alias');
      if (words.length === 0 && !alias) throw new CliError('Give the keys to delete: tollway keys delete <key>... (or --alias <alias>)');
      const deleted = (await client.post('/key/delete', { ...(words.length > 0 ? { keys: words } : {}), ...(alias ? { key_aliases: [alias] } : {}) })) as { deleted_keys: string[] };
      return { data: deleted, text: `deleted ${deleted.deleted_keys.length} key${deleted.deleted_keys.length === 1 ? '' : 's'}: ${deleted.deleted_keys.join(', ')}` };
    }
    default:
      throw new CliError(`Unknown keys command "${verb ?? ''}": create, list, info, update, block, unblock or delete.`);
  }
};

/** `tollway teams create|list|info|update|block|unblock|delete`: the /team/* admin routes. */
export const teamsCommand = async (client: GatewayClient, verb: string | undefined, words: string[], values: CliValues): Promise<CommandResult> => {
  const teamBody = () => ({ ...settingsOf(values), ...(text(values, 'alias') !== undefined ? { team_alias: text(values, 'alias') } : {}) });
  const teamId = () => needWord(words[0] ?? text(values, 'id'), 'team id', `tollway teams ${verb} <team id>`);
  switch (verb) {
    case 'create': {
      const id = words[0] ?? text(values, 'id');
      const created = (await client.post('/team/new', { ...teamBody(), ...(id ? { team_id: id } : {}) })) as Described;
      return { data: created, text: renderTable(teamColumns, [teamRow(created)]) };
    }
    case 'list': {
      const listed = (await client.get('/team/list', { page: text(values, 'page'), size: text(values, 'size') })) as { teams: Described[] };
      return { data: listed, text: listed.teams.length === 0 ? 'no teams' : renderTable(teamColumns, listed.teams.map(teamRow)) };
    }
    case 'info': {
      const info = (await client.get('/team/info', { team_id: teamId() })) as { team_info: Described; keys: Described[] };
      const members = info.keys.length > 0 ? `\n\nkeys:\n${renderTable(keyColumns, info.keys.map(keyRow))}` : '\n\nno keys';
      return { data: info, text: `${renderTable(teamColumns, [teamRow(info.team_info)])}${members}` };
    }
    case 'update':
    case 'block':
    case 'unblock': {
      const changes = verb === 'update' ? teamBody() : { blocked: verb === 'block' };
      if (Object.keys(changes).length === 0) throw new CliError('Nothing to update: give a flag such as --max-budget 100 (tollway --help).');
      const updated = (await client.post('/team/update', { team_id: teamId(), ...changes })) as Described;
      return { data: updated, text: renderTable(teamColumns, [teamRow(updated)]) };
    }
    case 'delete': {
      if (words.length === 0) throw new CliError('Give the teams to delete: tollway teams delete <team id>...');
      const deleted = (await client.post('/team/delete', { team_ids: words })) as Described;
      return { data: deleted, text: `deleted team${words.length === 1 ? '' : 's'} ${words.join(', ')}` };
    }
    default:
      throw new CliError(`Unknown teams command "${verb ?? ''}": create, list, info, update, block, unblock or delete.`);
  }
};

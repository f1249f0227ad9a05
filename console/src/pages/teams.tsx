import { useState } from 'preact/hooks';
import { messageOf, type Api, type Json } from '../api';
import { Badge, Dialog, Field, Loading, Notice, useLoad } from '../components/ui';
import { count, list, usd } from '../format';
import { emptyLimits, LimitFields, limitsBody, limitsOf, type LimitValues } from './limit-form';

interface TeamForm extends LimitValues {
  team_id: string;
  team_alias: string;
}

/** Teams: list with budget and spend, create, edit, block, delete (a team with keys is refused by the gateway). */
export const Teams = ({ api }: { api: Api }) => {
  const teams = useLoad(async () => {
    const listed = await api.get('/team/list', { size: 500 });
    return Promise.all((listed.teams as Json[]).map((team) => api.get('/team/info', { team_id: team.team_id })));
  }, []);
  const [editing, setEditing] = useState<{ existing: boolean; form: TeamForm }>();
  const [deleting, setDeleting] = useState<Json>();
  const [notice, setNotice] = useState<{ kind: 'error' | 'success'; text: string }>();
  const [formError, setFormError] = useState<string>();

  const act = async (work: () => Promise<unknown>, success: string) => {
    try {
      await work();
      setNotice({ kind: 'success', text: success });
      teams.reload();
    } catch (error) {
      setNotice({ kind: 'error', text: messageOf(error) });
    }
  };

  const save = async (event: Event) => {
    event.preventDefault();
    if (!editing) return;
    const { team_id, team_alias, ...limits } = editing.form;
    const body = { ...(team_id.trim() ? { team_id: team_id.trim() } : {}), team_alias: team_alias.trim() || null, ...limitsBody(limits) };
    setFormError(undefined);
    try {
      const saved = await api.post(editing.existing ? '/team/update' : '/team/new', editing.existing ? body : { ...body, team_alias: body.team_alias ?? undefined });
      setNotice({ kind: 'success', text: `Team ${saved.team_alias ?? saved.team_id} saved.` });
      setEditing(undefined);
      teams.reload();
    } catch (error) {
      setFormError(messageOf(error));
    }
  };

  const rows = teams.value ?? [];
  return (
    <section aria-labelledby="teams-title">
      <header class="page-header">
        <h1 id="teams-title">Teams</h1>
        <button type="button" onClick={() => { setFormError(undefined); setEditing({ existing: false, form: { team_id: '', team_alias: '', ...emptyLimits() } }); }}>
          Create team
        </button>
      </header>
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      {teams.error && <Notice kind="error">{teams.error}</Notice>}
      {teams.loading && !teams.value && <Loading what="teams" />}
      <table>
        <caption>Teams ({rows.length})</caption>
        <thead>
          <tr>
            <th scope="col">Team</th>
            <th scope="col">Keys</th>
            <th scope="col">Budget</th>
            <th scope="col">Spend</th>
            <th scope="col">Limits</th>
            <th scope="col">Models</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ team_info: team, keys }) => (
            <tr key={team.team_id} data-team-id={team.team_id}>
              <th scope="row">{team.team_alias ? `${team.team_alias} (${team.team_id})` : team.team_id}</th>
              <td data-cell="keys">{count(keys.length)}</td>
              <td data-cell="budget">{team.max_budget === null ? 'none' : `${usd(team.max_budget)}${team.budget_duration ? ` / ${team.budget_duration}` : ''}`}</td>
              <td data-cell="spend">{usd(team.spend)}</td>
              <td>{[team.rpm_limit ? `${team.rpm_limit} rpm` : '', team.tpm_limit ? `${team.tpm_limit} tpm` : ''].filter(Boolean).join(', ') || '—'}</td>
              <td>{list(team.models)}</td>
              <td data-cell="status">{team.blocked ? <Badge tone="bad">blocked</Badge> : <Badge tone="good">active</Badge>}</td>
              <td class="actions">
                <button type="button" aria-label={`Edit team ${team.team_id}`} onClick={() => { setFormError(undefined); setEditing({ existing: true, form: { team_id: team.team_id, team_alias: team.team_alias ?? '', ...limitsOf(team) } }); }}>
                  Edit
                </button>
                <button type="button" aria-label={`${team.blocked ? 'Unblock' : 'Block'} team ${team.team_id}`} onClick={() => act(() => api.post('/team/update', { team_id: team.team_id, blocked: !team.blocked }), `Team ${team.team_id} ${team.blocked ? 'unblocked' : 'blocked'}.`)}>
                  {team.blocked ? 'Unblock' : 'Block'}
                </button>
                <button type="button" class="danger" aria-label={`Delete team ${team.team_id}`} onClick={() => setDeleting(team)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
          {teams.value && rows.length === 0 && (
            <tr>
              <td colSpan={8} class="muted">No teams yet.</td>
            </tr>
          )}
        </tbody>
      </table>

      <Dialog title={editing?.existing ? 'Edit team' : 'Create team'} open={editing !== undefined} onClose={() => setEditing(undefined)}>
        {editing && (
          <form onSubmit={save}>
            {editing.existing ? (
              <p>Team <code>{editing.form.team_id}</code></p>
            ) : (
              <Field label="Team id" name="team_id" value={editing.form.team_id} onInput={(value) => setEditing({ ...editing, form: { ...editing.form, team_id: value } })} hint="Empty: a generated id." />
            )}
            <Field label="Team name" name="team_alias" value={editing.form.team_alias} onInput={(value) => setEditing({ ...editing, form: { ...editing.form, team_alias: value } })} />
            <LimitFields values={editing.form} onChange={(limits) => setEditing({ ...editing, form: { ...editing.form, ...limits } })} />
            {formError && <Notice kind="error">{formError}</Notice>}
            <div class="dialog-actions">
              <button type="submit">{editing.existing ? 'Save team' : 'Create'}</button>
              <button type="button" class="secondary" onClick={() => setEditing(undefined)}>Cancel</button>
            </div>
          </form>
        )}
      </Dialog>

      <Dialog title="Delete team" open={deleting !== undefined} onClose={() => setDeleting(undefined)}>
        {deleting && (
          <>
            <p>Delete team {deleting.team_id}? A team that still has keys is refused: move or delete its keys first.</p>
            <div class="dialog-actions">
              <button type="button" class="danger" onClick={() => { const target = deleting; setDeleting(undefined); void act(() => api.post('/team/delete', { team_ids: [target.team_id] }), `Team ${target.team_id} deleted.`); }}>
                Delete team
              </button>
              <button type="button" class="secondary" onClick={() => setDeleting(undefined)}>Cancel</button>
            </div>
          </>
        )}
      </Dialog>
    </section>
  );
};

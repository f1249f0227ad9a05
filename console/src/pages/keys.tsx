import { useState } from 'preact/hooks';
import { messageOf, type Api, type Json } from '../api';
import { Badge, Dialog, Field, Loading, Notice, useLoad } from '../components/ui';
import { list, usd } from '../format';
import { emptyLimits, LimitFields, limitsBody, limitsOf, type LimitValues } from './limit-form';

interface KeyForm extends LimitValues {
  key_alias: string;
  team_id: string;
  duration: string;
}

const pageSize = 25;

/** Keys: list with budget and spend, create (the key shown once), edit, block, delete. */
export const Keys = ({ api }: { api: Api }) => {
  const [page, setPage] = useState(1);
  const keys = useLoad(async () => {
    const listed = await api.get('/key/list', { return_full_object: 'true', page, size: pageSize });
    // Spend is per key's budget period: one /key/info each, for the page shown.
    const infos = await Promise.all((listed.keys as Json[]).map((key) => api.get('/key/info', { key: key.key_id }).then((info) => info.info as Json)));
    const shown: Json = { ...listed, keys: infos };
    return shown;
  }, [page]);
  const teams = useLoad(() => api.get('/team/list', { size: 500 }), []);
  const [editing, setEditing] = useState<{ keyId?: string; form: KeyForm }>();
  const [created, setCreated] = useState<{ key: string; alias: string | null }>();
  const [deleting, setDeleting] = useState<Json>();
  const [notice, setNotice] = useState<{ kind: 'error' | 'success'; text: string }>();
  const [formError, setFormError] = useState<string>();
  const [copied, setCopied] = useState(false);

  const act = async (work: () => Promise<unknown>, success: string) => {
    try {
      await work();
      setNotice({ kind: 'success', text: success });
      keys.reload();
    } catch (error) {
      setNotice({ kind: 'error', text: messageOf(error) });
    }
  };

  const save = async (event: Event) => {
    event.preventDefault();
    if (!editing) return;
    const { key_alias, team_id, duration, ...limits } = editing.form;
    const body = { key_alias: key_alias.trim() || null, team_id: team_id || null, ...limitsBody(limits), ...(duration.trim() ? { duration: duration.trim() } : {}) };
    setFormError(undefined);
    try {
      if (editing.keyId) {
        await api.post('/key/update', { key: editing.keyId, ...body });
        setNotice({ kind: 'success', text: `Key ${key_alias || editing.keyId.slice(0, 8)} saved.` });
      } else {
        const generated = await api.post('/key/generate', { ...body, key_alias: body.key_alias ?? undefined, team_id: body.team_id ?? undefined });
        setCopied(false);
        setCreated({ key: generated.key as string, alias: generated.key_alias as string | null });
      }
      setEditing(undefined);
      keys.reload();
    } catch (error) {
      setFormError(messageOf(error));
    }
  };

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.key);
    } catch {
      // Without clipboard access (an insecure origin), select the text for the user to copy.
      (document.getElementById('new-key-value') as HTMLInputElement | null)?.select();
      document.execCommand('copy');
    }
    setCopied(true);
  };

  const teamOptions = (teams.value?.teams as Json[] | undefined) ?? [];
  const rows = (keys.value?.keys as Json[] | undefined) ?? [];

  return (
    <section aria-labelledby="keys-title">
      <header class="page-header">
        <h1 id="keys-title">Keys</h1>
        <button type="button" onClick={() => { setFormError(undefined); setEditing({ form: { key_alias: '', team_id: '', duration: '', ...emptyLimits() } }); }}>
          Create key
        </button>
      </header>
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      {keys.error && <Notice kind="error">{keys.error}</Notice>}
      {keys.loading && !keys.value && <Loading what="keys" />}
      <table>
        <caption>Virtual keys{keys.value ? ` (${keys.value.total_count})` : ''}</caption>
        <thead>
          <tr>
            <th scope="col">Alias</th>
            <th scope="col">Key</th>
            <th scope="col">Team</th>
            <th scope="col">Budget</th>
            <th scope="col">Spend</th>
            <th scope="col">Limits</th>
            <th scope="col">Models</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((key) => (
            <tr key={key.key_id} data-key-alias={key.key_alias ?? ''}>
              <th scope="row">{key.key_alias ?? <span class="muted">no alias</span>}</th>
              <td><code>{key.key_name}</code></td>
              <td>{key.team_id ?? '—'}</td>
              <td data-cell="budget">{key.max_budget === null ? 'none' : `${usd(key.max_budget)}${key.budget_duration ? ` / ${key.budget_duration}` : ''}`}</td>
              <td data-cell="spend">{usd(key.spend)}</td>
              <td>{[key.rpm_limit ? `${key.rpm_limit} rpm` : '', key.tpm_limit ? `${key.tpm_limit} tpm` : ''].filter(Boolean).join(', ') || '—'}</td>
              <td>{list(key.models)}</td>
              <td data-cell="status">{key.blocked ? <Badge tone="bad">blocked</Badge> : key.expires && Date.parse(key.expires) < Date.now() ? <Badge tone="warn">expired</Badge> : <Badge tone="good">active</Badge>}</td>
              <td class="actions">
                <button type="button" aria-label={`Edit ${key.key_alias ?? key.key_name}`} onClick={() => { setFormError(undefined); setEditing({ keyId: key.key_id, form: { key_alias: key.key_alias ?? '', team_id: key.team_id ?? '', duration: '', ...limitsOf(key) } }); }}>
                  Edit
                </button>
                <button
                  type="button"
                  aria-label={`${key.blocked ? 'Unblock' : 'Block'} ${key.key_alias ?? key.key_name}`}
                  onClick={() => act(() => api.post('/key/update', { key: key.key_id, blocked: !key.blocked }), `Key ${key.key_alias ?? key.key_name} ${key.blocked ? 'unblocked' : 'blocked'}.`)}
                >
                  {key.blocked ? 'Unblock' : 'Block'}
                </button>
                <button type="button" class="danger" aria-label={`Delete ${key.key_alias ?? key.key_name}`} onClick={() => setDeleting(key)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
          {keys.value && rows.length === 0 && (
            <tr>
              <td colSpan={9} class="muted">No keys yet.</td>
            </tr>
          )}
        </tbody>
      </table>
      {keys.value && keys.value.total_pages > 1 && (
        <nav class="pager" aria-label="Key pages">
          <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>Previous page</button>
          <span>Page {page} of {keys.value.total_pages}</span>
          <button type="button" disabled={page >= keys.value.total_pages} onClick={() => setPage(page + 1)}>Next page</button>
        </nav>
      )}

      <Dialog title={editing?.keyId ? 'Edit key' : 'Create key'} open={editing !== undefined} onClose={() => setEditing(undefined)}>
        {editing && (
          <form onSubmit={save}>
            <Field label="Alias" name="key_alias" value={editing.form.key_alias} onInput={(value) => setEditing({ ...editing, form: { ...editing.form, key_alias: value } })} />
            <div class="field">
              <label for="field-team_id">Team</label>
              <select id="field-team_id" value={editing.form.team_id} onChange={(event) => setEditing({ ...editing, form: { ...editing.form, team_id: (event.currentTarget as HTMLSelectElement).value } })}>
                <option value="">No team</option>
                {teamOptions.map((team) => (
                  <option key={team.team_id} value={team.team_id}>{team.team_alias ? `${team.team_alias} (${team.team_id})` : team.team_id}</option>
                ))}
              </select>
            </div>
            <Field label="Lifetime" name="duration" value={editing.form.duration} onInput={(value) => setEditing({ ...editing, form: { ...editing.form, duration: value } })} placeholder="30d" hint="Empty: the key does not expire (or keeps its expiry)." />
            <LimitFields values={editing.form} onChange={(limits) => setEditing({ ...editing, form: { ...editing.form, ...limits } })} />
            {formError && <Notice kind="error">{formError}</Notice>}
            <div class="dialog-actions">
              <button type="submit">{editing.keyId ? 'Save key' : 'Create'}</button>
              <button type="button" class="secondary" onClick={() => setEditing(undefined)}>Cancel</button>
            </div>
          </form>
        )}
      </Dialog>

      <Dialog title="New key" open={created !== undefined} onClose={() => setCreated(undefined)}>
        {created && (
          <>
            <p>Copy the key{created.alias ? ` for ${created.alias}` : ''} now: it is shown only once and cannot be read back.</p>
            <div class="field">
              <label for="new-key-value">Key</label>
              <input id="new-key-value" readOnly value={created.key} onFocus={(event) => (event.currentTarget as HTMLInputElement).select()} />
            </div>
            <div class="dialog-actions">
              <button type="button" onClick={copy}>Copy key</button>
              <button type="button" class="secondary" onClick={() => setCreated(undefined)}>Done</button>
            </div>
            {copied && <Notice kind="success">Copied to the clipboard.</Notice>}
          </>
        )}
      </Dialog>

      <Dialog title="Delete key" open={deleting !== undefined} onClose={() => setDeleting(undefined)}>
        {deleting && (
          <>
            <p>Delete {deleting.key_alias ?? deleting.key_name}? Requests with it are refused from now on; its usage records stay.</p>
            <div class="dialog-actions">
              <button type="button" class="danger" onClick={() => { const target = deleting; setDeleting(undefined); void act(() => api.post('/key/delete', { keys: [target.key_id] }), `Key ${target.key_alias ?? target.key_name} deleted.`); }}>
                Delete key
              </button>
              <button type="button" class="secondary" onClick={() => setDeleting(undefined)}>Cancel</button>
            </div>
          </>
        )}
      </Dialog>
    </section>
  );
};

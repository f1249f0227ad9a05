/** The budget, limit and allowlist fields keys and teams share, as text the form edits and the body the API takes. */
import { Field } from '../components/ui';
import { parseList } from '../format';
import type { Json } from '../api';

export interface LimitValues {
  max_budget: string;
  budget_duration: string;
  soft_budget: string;
  rpm_limit: string;
  tpm_limit: string;
  models: string;
  mcp_servers: string;
  knowledge_bases: string;
}

export const emptyLimits = (): LimitValues => ({ max_budget: '', budget_duration: '', soft_budget: '', rpm_limit: '', tpm_limit: '', models: '', mcp_servers: '', knowledge_bases: '' });

/** The form's text for an existing record. */
export const limitsOf = (record: Json): LimitValues => ({
  max_budget: record.max_budget === null || record.max_budget === undefined ? '' : String(record.max_budget),
  budget_duration: record.budget_duration ?? '',
  soft_budget: record.soft_budget === null || record.soft_budget === undefined ? '' : String(record.soft_budget),
  rpm_limit: record.rpm_limit === null || record.rpm_limit === undefined ? '' : String(record.rpm_limit),
  tpm_limit: record.tpm_limit === null || record.tpm_limit === undefined ? '' : String(record.tpm_limit),
  models: (record.models ?? []).join(', '),
  mcp_servers: (record.mcp_servers ?? []).join(', '),
  knowledge_bases: (record.knowledge_bases ?? []).join(', '),
});

const numberOrNull = (text: string) => (text.trim() === '' ? null : Number(text));

/** The API body: empty fields clear a limit (null), lists are comma-separated names (empty: all allowed). */
export const limitsBody = (values: LimitValues) => ({
  max_budget: numberOrNull(values.max_budget),
  budget_duration: values.budget_duration.trim() === '' ? null : values.budget_duration.trim(),
  soft_budget: numberOrNull(values.soft_budget),
  rpm_limit: numberOrNull(values.rpm_limit),
  tpm_limit: numberOrNull(values.tpm_limit),
  models: parseList(values.models),
  mcp_servers: parseList(values.mcp_servers),
  knowledge_bases: parseList(values.knowledge_bases),
});

export const LimitFields = ({ values, onChange }: { values: LimitValues; onChange: (values: LimitValues) => void }) => {
  const set = (name: keyof LimitValues) => (value: string) => onChange({ ...values, [name]: value });
  return (
    <>
      <fieldset>
        <legend>Budget</legend>
        <Field label="Max budget (USD)" name="max_budget" type="number" step="any" min="0" value={values.max_budget} onInput={set('max_budget')} hint="Empty: no budget." />
        <Field label="Budget period" name="budget_duration" value={values.budget_duration} onInput={set('budget_duration')} placeholder="30d" hint="e.g. 1h, 1d, 30d; empty: the budget never resets." />
        <Field label="Soft budget (USD)" name="soft_budget" type="number" step="any" min="0" value={values.soft_budget} onInput={set('soft_budget')} hint="Crossing it logs a warning; nothing is refused." />
      </fieldset>
      <fieldset>
        <legend>Rate limits</legend>
        <Field label="Requests per minute" name="rpm_limit" type="number" min="1" value={values.rpm_limit} onInput={set('rpm_limit')} />
        <Field label="Tokens per minute" name="tpm_limit" type="number" min="1" value={values.tpm_limit} onInput={set('tpm_limit')} />
      </fieldset>
      <fieldset>
        <legend>Allowlists (comma-separated; empty allows all)</legend>
        <Field label="Models" name="models" value={values.models} onInput={set('models')} />
        <Field label="MCP servers" name="mcp_servers" value={values.mcp_servers} onInput={set('mcp_servers')} />
        <Field label="Knowledge bases" name="knowledge_bases" value={values.knowledge_bases} onInput={set('knowledge_bases')} />
      </fieldset>
    </>
  );
};

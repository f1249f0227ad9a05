/** The console's few building blocks: notices, form fields, a modal dialog, loading state. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { messageOf } from '../api';

/** An error (role=alert, read at once) or a status message (role=status, read politely). */
export const Notice = ({ kind, children }: { kind: 'error' | 'success' | 'info'; children: ComponentChildren }) => (
  <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
    {children}
  </div>
);

export interface FieldProps {
  label: string;
  name: string;
  value: string;
  onInput: (value: string) => void;
  type?: 'text' | 'number';
  hint?: string;
  placeholder?: string;
  required?: boolean;
  step?: string;
  min?: string;
}

/** A labelled input; the hint is tied to it with aria-describedby. */
export const Field = ({ label, name, value, onInput, type = 'text', hint, placeholder, required, step, min }: FieldProps) => {
  const id = `field-${name}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        {...(type === 'number' ? { type: 'number' as const } : { type: 'text' as const, list: undefined })}
        value={value}
        placeholder={placeholder}
        required={required}
        step={step}
        min={min}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onInput={(event) => onInput((event.currentTarget as HTMLInputElement).value)}
      />
      {hint && (
        <small id={`${id}-hint`} class="muted">
          {hint}
        </small>
      )}
    </div>
  );
};

/** A native modal dialog: focus moves into it, Escape closes it, focus returns to where it was. */
export const Dialog = ({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ComponentChildren }) => {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  const titleId = `dialog-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <dialog ref={dialog} aria-labelledby={titleId} onClose={onClose} onCancel={onClose}>
      {open && (
        <>
          <h2 id={titleId}>{title}</h2>
          {children}
        </>
      )}
    </dialog>
  );
};

/** Runs `load` when `deps` change; gives its value, its error and a reload. */
export const useLoad = <Value,>(load: () => Promise<Value>, deps: unknown[]) => {
  const [state, setState] = useState<{ value?: Value; error?: string; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (value) => current && setState({ value, loading: false }),
      (error: unknown) => current && setState({ error: messageOf(error), loading: false }),
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);
  return { ...state, reload: () => setGeneration((value) => value + 1) };
};

export const Loading = ({ what }: { what: string }) => (
  <p class="muted" role="status" aria-live="polite">
    Loading {what}…
  </p>
);

/** A badge whose meaning is in its text, not only its colour. */
export const Badge = ({ tone, children }: { tone: 'good' | 'bad' | 'warn' | 'neutral'; children: ComponentChildren }) => <span class={`badge badge-${tone}`}>{children}</span>;

import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { MAX_WORKSPACE_NAME_LENGTH } from '../core/workspaceRegistry.ts';

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * A modal form asking for a workspace's name (New workspace, Rename workspace). The native
 * <dialog>: focus is trapped, Escape cancels. `onSubmit` may reject with a message for the user;
 * the dialog then stays open with the message under the field.
 */
export function WorkspaceNameDialog({
  title,
  initialName,
  confirmLabel,
  children,
  onSubmit,
  onCancel,
}: {
  title: string;
  initialName: string;
  confirmLabel: string;
  children?: ReactNode;
  onSubmit(name: string): Promise<void>;
  onCancel(): void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const ids = { title: useId(), field: useId(), error: useId(), hint: useId() };
  const [name, setName] = useState(initialName);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal();
    input.current?.select();
    return () => el?.close();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (saving) return;
    setSaving(true);
    setError(null);
    try {
      await onSubmit(name);
    } catch (err) {
      setError(errorText(err));
      setSaving(false);
      input.current?.focus();
    }
  };

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={ids.title}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <form className="workspace-form" onSubmit={submit} noValidate>
        <h2 id={ids.title} className="dialog__title">
          {title}
        </h2>
        {children && (
          <div id={ids.hint} className="dialog__body">
            {children}
          </div>
        )}
        <div className="settings__field">
          <label htmlFor={ids.field}>Workspace name</label>
          <input
            ref={input}
            id={ids.field}
            type="text"
            value={name}
            maxLength={MAX_WORKSPACE_NAME_LENGTH}
            autoComplete="off"
            autoFocus
            aria-invalid={error !== null}
            aria-describedby={[error ? ids.error : '', children ? ids.hint : ''].filter(Boolean).join(' ') || undefined}
            onChange={(e) => {
              setName(e.target.value);
              setError(null);
            }}
          />
          {error && (
            <span id={ids.error} className="settings__error" role="alert">
              {error}
            </span>
          )}
        </div>
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={saving}>
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

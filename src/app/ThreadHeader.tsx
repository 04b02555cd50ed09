import { useRef, useState, type FormEvent } from 'react';
import { ConnectionStatus } from './ConnectionStatus.tsx';

/** Title (with "Rename" to edit it in place) and the connection status. */
export function ThreadHeader({ title, onRename }: { title: string | null; onRename?: (title: string) => Promise<void> }) {
  const [draft, setDraft] = useState<string | null>(null);
  const cancelled = useRef(false);

  const finish = (event?: FormEvent) => {
    event?.preventDefault();
    const next = draft?.trim();
    setDraft(null);
    if (!cancelled.current && next && next !== title && onRename) void onRename(next);
    cancelled.current = false;
  };

  return (
    <header className="thread-header">
      {draft !== null ? (
        <form className="thread-header__rename" onSubmit={finish}>
          <input
            aria-label="Thread title"
            value={draft}
            autoFocus
            onChange={(e) => setDraft(e.target.value)}
            onBlur={() => finish()}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                cancelled.current = true;
                e.currentTarget.blur();
              }
            }}
          />
        </form>
      ) : (
        <div className="thread-header__titlebar">
          <h1 className="thread-header__title">{title ?? 'Switchboard'}</h1>
          {title !== null && onRename && (
            <button type="button" className="button button--ghost button--small" onClick={() => setDraft(title)}>
              Rename
            </button>
          )}
        </div>
      )}
      <ConnectionStatus />
    </header>
  );
}

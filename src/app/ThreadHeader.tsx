import { useRef, useState, type FormEvent } from 'react';
import { ConnectionStatus } from './ConnectionStatus.tsx';
import { MenuButton } from './MenuButton.tsx';

export interface ThreadHeaderActions {
  onRename(title: string): Promise<void>;
  onExport(kind: 'json' | 'md'): void;
  onDelete(): void;
}

/** Title, the open thread's actions (Rename, Export thread, Delete thread) and the connection. */
export function ThreadHeader({ title, actions }: { title: string | null; actions?: ThreadHeaderActions }) {
  const [draft, setDraft] = useState<string | null>(null);
  const cancelled = useRef(false);

  const finish = (event?: FormEvent) => {
    event?.preventDefault();
    const next = draft?.trim();
    setDraft(null);
    if (!cancelled.current && next && next !== title && actions) void actions.onRename(next);
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
          {title !== null && actions && (
            <div className="thread-header__actions">
              <button type="button" className="button button--ghost button--small" onClick={() => setDraft(title)}>
                Rename
              </button>
              <MenuButton
                label="Export thread"
                actions={[
                  { label: 'JSON', onSelect: () => actions.onExport('json') },
                  { label: 'Markdown', onSelect: () => actions.onExport('md') },
                ]}
              />
              <button type="button" className="button button--ghost button--small button--ghost-danger" onClick={actions.onDelete}>
                Delete thread
              </button>
            </div>
          )}
        </div>
      )}
      <ConnectionStatus />
    </header>
  );
}

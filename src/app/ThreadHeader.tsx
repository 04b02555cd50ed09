import { useRef, useState, type FormEvent } from 'react';
import type { ApprovalPolicy } from '../core/threadStore.ts';
import { ConnectionStatus } from './ConnectionStatus.tsx';
import { MenuButton } from './MenuButton.tsx';

export interface ThreadHeaderActions {
  onRename(title: string): Promise<void>;
  onExport(kind: 'json' | 'md'): void;
  onDelete(): void;
  /** The thread's approval policy and how to change it. */
  policy: ApprovalPolicy;
  onPolicy(policy: ApprovalPolicy): void;
  /** "Compact thread"; disabled while a turn runs. */
  onCompact(): void;
  running: boolean;
}

const POLICY_LABELS: Record<ApprovalPolicy, string> = {
  'read-only': 'Read-only',
  ask: 'Ask before changes',
  auto: 'Auto (never ask)',
};

const POLICY_HINTS: Record<ApprovalPolicy, string> = {
  'read-only': 'The agent can read files; writes and run_js are refused.',
  ask: 'Writes and run_js wait for your approval.',
  auto: 'Writes and run_js run without asking.',
};

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
              <label className="thread-header__policy" title={POLICY_HINTS[actions.policy]}>
                <select aria-label="Approval policy" value={actions.policy} onChange={(e) => actions.onPolicy(e.target.value as ApprovalPolicy)}>
                  {(Object.keys(POLICY_LABELS) as ApprovalPolicy[]).map((p) => (
                    <option key={p} value={p}>
                      {POLICY_LABELS[p]}
                    </option>
                  ))}
                </select>
              </label>
              <button type="button" className="button button--ghost button--small" disabled={actions.running} onClick={actions.onCompact} title="Replace the thread's history with a compact summary (a turn of its own)">
                Compact thread
              </button>
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

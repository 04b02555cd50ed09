import { useMemo, useRef, type ChangeEvent } from 'react';
import type { LiveSnapshot } from '../core/liveTurns.ts';
import { hasRunningTurn } from '../core/liveTurns.ts';
import { MenuButton } from './MenuButton.tsx';
import { useThreadList } from './queries.ts';
import { SettingsButton } from './SettingsDialog.tsx';
import { ThreadList } from './ThreadList.tsx';
import { useLive } from './useLive.ts';

/**
 * The ids of the threads that run, as one string (sorted, newline-separated), so the sidebar
 * re-renders only when that set changes: the live threads change on every frame of a stream,
 * and the whole thread list re-rendered with them (a profile of a 1 MiB stream). The broker says
 * which threads run (their streams reach only tabs showing them); this tab's own live turns
 * count too, as they may be ahead of the last inspector state.
 */
const runningThreadsKey = (s: LiveSnapshot): string => {
  const ids = new Set(s.inspector?.runningThreads ?? []);
  for (const thread of Object.values(s.threads)) if (hasRunningTurn(thread)) ids.add(thread.threadId);
  return [...ids].sort().join('\n');
};

export interface SidebarProps {
  activeId: string | null;
  onNewThread(): void;
  onExportAll(kind: 'json' | 'md'): void;
  onImport(file: File): void;
}

export function Sidebar({ activeId, onNewThread, onExportAll, onImport }: SidebarProps) {
  const threads = useThreadList();
  const runningKey = useLive(runningThreadsKey);
  const runningIds = useMemo(() => new Set(runningKey === '' ? [] : runningKey.split('\n')), [runningKey]);
  const fileInput = useRef<HTMLInputElement>(null);

  const onFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = ''; // choosing the same file again fires change again
    if (file) onImport(file);
  };

  return (
    <div className="sidebar">
      <div className="sidebar__head">
        <span className="brand">
          <img src="/favicon.svg" alt="" width={18} height={18} />
          Switchboard
        </span>
        <button type="button" className="button button--primary button--small" onClick={onNewThread}>
          New thread
        </button>
      </div>
      {threads.isError ? (
        <p className="sidebar__error" role="alert">
          Could not read threads: {String(threads.error)}
        </p>
      ) : (
        <ThreadList threads={threads.data ?? []} activeId={activeId} runningIds={runningIds} />
      )}
      <div className="sidebar__foot">
        <MenuButton
          label="Export all"
          disabled={!threads.data?.length}
          actions={[
            { label: 'JSON', onSelect: () => onExportAll('json') },
            { label: 'Markdown', onSelect: () => onExportAll('md') },
          ]}
        />
        <button type="button" className="button button--ghost button--small" onClick={() => fileInput.current?.click()}>
          Import…
        </button>
        {/* Reachable by its label for assistive tech and tests; the button above is the visible control. */}
        <input ref={fileInput} className="visually-hidden" type="file" accept="application/json,.json" aria-label="Import threads" tabIndex={-1} onChange={onFile} />
        <SettingsButton />
      </div>
    </div>
  );
}

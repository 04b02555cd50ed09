import { useMemo, useRef, type ChangeEvent } from 'react';
import type { LiveSnapshot } from '../core/liveTurns.ts';
import { hasRunningTurn } from '../core/liveTurns.ts';
import { MenuButton } from './MenuButton.tsx';
import { useThreadList } from './queries.ts';
import { SettingsButton } from './SettingsDialog.tsx';
import { ThreadList } from './ThreadList.tsx';
import { useLive } from './useLive.ts';

const liveThreads = (s: LiveSnapshot) => s.threads;
const runningThreads = (s: LiveSnapshot) => s.inspector?.runningThreads;

export interface SidebarProps {
  activeId: string | null;
  onNewThread(): void;
  onExportAll(kind: 'json' | 'md'): void;
  onImport(file: File): void;
}

export function Sidebar({ activeId, onNewThread, onExportAll, onImport }: SidebarProps) {
  const threads = useThreadList();
  const live = useLive(liveThreads);
  // The broker says which threads run (their streams reach only tabs showing them); this tab's
  // own live turns count too, as they may be ahead of the last inspector state.
  const brokerRunning = useLive(runningThreads);
  const runningIds = useMemo(
    () => new Set([...(brokerRunning ?? []), ...Object.values(live).filter(hasRunningTurn).map((t) => t.threadId)]),
    [live, brokerRunning],
  );
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

import { useMemo } from 'react';
import type { LiveSnapshot } from '../core/liveTurns.ts';
import { hasRunningTurn } from '../core/liveTurns.ts';
import { useThreadList } from './queries.ts';
import { ThreadList } from './ThreadList.tsx';
import { useLive } from './useLive.ts';

const liveThreads = (s: LiveSnapshot) => s.threads;

export function Sidebar({ activeId, onNewThread }: { activeId: string | null; onNewThread(): void }) {
  const threads = useThreadList();
  const live = useLive(liveThreads);
  const runningIds = useMemo(() => new Set(Object.values(live).filter(hasRunningTurn).map((t) => t.threadId)), [live]);

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
    </div>
  );
}

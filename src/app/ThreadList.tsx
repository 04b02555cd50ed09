import type { MouseEvent } from 'react';
import type { ThreadRecord } from '../core/threadStore.ts';
import { navigate, threadPath } from './route.ts';

function relativeTime(at: number, now: number): string {
  const minutes = Math.round((now - at) / 60_000);
  if (minutes < 1) return 'now';
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours}h`;
  return new Date(at).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

/** Plain clicks navigate in-app; modified clicks (new tab, …) keep the browser's behaviour. */
function followLink(event: MouseEvent<HTMLAnchorElement>, path: string) {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(path);
}

export function ThreadList({ threads, activeId, runningIds }: { threads: readonly ThreadRecord[]; activeId: string | null; runningIds: ReadonlySet<string> }) {
  const now = Date.now();
  return (
    <nav className="thread-list" aria-label="Threads">
      {threads.length === 0 ? (
        <p className="thread-list__empty">No threads yet.</p>
      ) : (
        <ul>
          {threads.map((t) => {
            const path = threadPath(t.id);
            const current = t.id === activeId;
            return (
              <li key={t.id}>
                <a href={path} className="thread-list__link" aria-current={current ? 'page' : undefined} onClick={(e) => followLink(e, path)}>
                  <span className="thread-list__title">{t.title}</span>
                  {/* The link's accessible name stays exactly the title: decorations are hidden. */}
                  {runningIds.has(t.id) && <span className="thread-list__running" title="A turn is running" aria-hidden="true" />}
                  <span className="thread-list__time" aria-hidden="true" title={new Date(t.updatedAt).toLocaleString()}>
                    {relativeTime(t.updatedAt, now)}
                  </span>
                </a>
              </li>
            );
          })}
        </ul>
      )}
    </nav>
  );
}

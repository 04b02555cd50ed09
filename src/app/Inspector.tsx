import { memo, useId, useState } from 'react';
import { CellsTable } from './CellsTable.tsx';
import { SocketsTable } from './SocketsTable.tsx';
import { useServices } from './ServicesContext.ts';
import { useLive } from './useLive.ts';

/** Below this width the inspector starts collapsed, leaving room for the transcript. */
const WIDE_SCREEN = '(min-width: 1100px)';

const initiallyOpen = () => typeof window.matchMedia !== 'function' || window.matchMedia(WIDE_SCREEN).matches;

/** The broker's pool and turn-state cells, live. Memoized: it has no props, and App re-renders. */
export const Inspector = memo(function Inspector() {
  const state = useLive((s) => s.inspector);
  const gaps = useLive((s) => s.gaps);
  const { tabId } = useServices();
  const [open, setOpen] = useState(initiallyOpen);
  const bodyId = useId();

  return (
    <aside className={open ? 'inspector' : 'inspector inspector--collapsed'} aria-label="Inspector">
      <div className="inspector__head">
        <h2 className="inspector__title">Inspector</h2>
        <button type="button" className="button button--ghost button--small" aria-expanded={open} aria-controls={bodyId} onClick={() => setOpen(!open)}>
          {open ? 'Hide' : 'Show'}
        </button>
      </div>
      <div id={bodyId} className="inspector__body" hidden={!open}>
        <dl className="inspector__summary">
          <div>
            <dt>Transport</dt>
            <dd>{state ? state.transport : '—'}</dd>
          </div>
          <div>
            <dt>Queued</dt>
            <dd>{state ? state.queued : '—'}</dd>
          </div>
          <div>
            <dt>Handshakes</dt>
            <dd>{state ? state.handshakes : '—'}</dd>
          </div>
          <div>
            <dt>Event gaps</dt>
            <dd>{gaps}</dd>
          </div>
        </dl>
        <h3 className="inspector__section">Sockets</h3>
        <SocketsTable sockets={state?.sockets ?? []} />
        <h3 className="inspector__section">Turn-state cells</h3>
        <CellsTable cells={state?.cells ?? []} ownTabId={tabId} />
      </div>
    </aside>
  );
});

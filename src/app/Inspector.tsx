import { memo, useId } from 'react';
import { CellsTable } from './CellsTable.tsx';
import { SocketsTable } from './SocketsTable.tsx';
import { useServices } from './ServicesContext.ts';
import { useLive } from './useLive.ts';
import { useRememberedOpen } from './useRememberedOpen.ts';

const OPEN_KEY = 'switchboard:inspector-open';
/**
 * On screens this wide the inspector starts open (unless the user closed it before): room for
 * the sidebar, the files panel and the inspector beside a full-width text column. Open on a
 * laptop's 1280 px it left the answer a 535 px column, and a streamed answer in that column
 * cost the tab ~25 % more main-thread time than in the full ~820 px one (its lines are what the
 * browser lays out each frame; bench A/B, 1 MiB answers, 3 rounds: layout 595 → 361 ms, long
 * tasks 8 → 1 in all).
 */
const WIDE_SCREEN = '(min-width: 1880px)';

/** The broker's pool and turn-state cells, live. Memoized: it has no props, and App re-renders. */
export const Inspector = memo(function Inspector() {
  const [open, toggle] = useRememberedOpen(OPEN_KEY, WIDE_SCREEN);
  const bodyId = useId();

  return (
    <aside className={open ? 'inspector' : 'inspector inspector--collapsed'} aria-label="Inspector">
      <div className="inspector__head">
        <h2 className="inspector__title">Inspector</h2>
        <button type="button" className="button button--ghost button--small" aria-expanded={open} aria-controls={bodyId} onClick={toggle}>
          {open ? 'Hide' : 'Show'}
        </button>
      </div>
      <div id={bodyId} className="inspector__body" hidden={!open}>
        {open && <InspectorBody />}
      </div>
    </aside>
  );
});

/**
 * Only while the inspector is open: the broker sends its state to every tab up to 5 times a
 * second while turns run, and a collapsed inspector that still rendered it redrew its hidden
 * tables in every tab each time (a JS profile of one of 8 tabs streaming at once had the cells
 * table among its most costly functions). Opened, it reads the latest state at once.
 */
const InspectorBody = memo(function InspectorBody() {
  const state = useLive((s) => s.inspector);
  const gaps = useLive((s) => s.gaps);
  const { tabId } = useServices();
  return (
    <>
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
    </>
  );
});

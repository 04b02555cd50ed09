import type { CellInfo } from '../core/brokerMessages.ts';

/** One row per live turn-state cell: which tab and turn own it, and its value (or "empty"). */
export function CellsTable({ cells, ownTabId }: { cells: readonly CellInfo[]; ownTabId: string }) {
  return (
    <table className="grid" aria-label="Turn-state cells">
      <thead>
        <tr>
          <th scope="col">Tab</th>
          <th scope="col">Turn</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {cells.length === 0 ? (
          <tr>
            <td colSpan={3} className="grid__empty">
              No live cells
            </td>
          </tr>
        ) : (
          cells.map((c) => (
            <tr key={`${c.tabId}/${c.turnId}`}>
              <td className={c.tabId === ownTabId ? 'clip mono is-self' : 'clip mono'} title={c.tabId === ownTabId ? `${c.tabId} (this tab)` : c.tabId}>
                {c.tabId}
              </td>
              <td className="clip mono" title={`${c.threadId} / ${c.turnId}`}>
                {c.turnId}
              </td>
              <td className="clip mono" title={c.value ?? 'empty'}>
                {c.value ?? <span className="muted">empty</span>}
              </td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

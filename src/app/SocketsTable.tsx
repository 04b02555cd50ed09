import type { SocketInfo } from '../core/brokerMessages.ts';

function busyText(busy: SocketInfo['busyWith']): string {
  if (!busy) return 'idle';
  return `${busy.kind === 'prewarm' ? 'prewarm ' : ''}${busy.threadId} / ${busy.turnId || '—'}`;
}

/** One row per pooled socket. Ids are shown in full (clipped visually, full on hover). */
export function SocketsTable({ sockets }: { sockets: readonly SocketInfo[] }) {
  return (
    <table className="grid" aria-label="Sockets">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">State</th>
          <th scope="col">Busy with</th>
          <th scope="col">Last response</th>
          <th scope="col" className="num">Resp.</th>
        </tr>
      </thead>
      <tbody>
        {sockets.length === 0 ? (
          <tr>
            <td colSpan={5} className="grid__empty">
              No sockets
            </td>
          </tr>
        ) : (
          sockets.map((s) => (
            <tr key={s.id}>
              <td>{s.id}</td>
              <td>
                <span className={`pill pill--${s.state}`}>{s.state}</span>
              </td>
              <td className="clip" title={busyText(s.busyWith)}>
                {busyText(s.busyWith)}
              </td>
              <td className="clip mono" title={s.lastResponseId ?? ''}>
                {s.lastResponseId ?? '—'}
              </td>
              <td className="num">{s.responses}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

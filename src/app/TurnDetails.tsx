import type { TranscriptTurn } from './transcriptModel.ts';

/** A dense line under a live turn: requests, transport, and the turn-state values seen. */
export function TurnDetails({ live }: { live: NonNullable<TranscriptTurn['live']> }) {
  if (live.requests === 0 && live.metadata.length === 0) return null;
  return (
    <div className="turn__details">
      {live.requests > 0 && (
        <span>
          {live.requests} {live.requests === 1 ? 'request' : 'requests'}
          {live.resends > 0 && ` (${live.resends} resent)`}
          {live.transport && ` · ${live.transport}`}
        </span>
      )}
      {live.metadata.length > 0 && (
        <span>
          turn state{' '}
          {live.metadata.map((m, i) => (
            <code key={i} className={m.accepted ? 'ts ts--accepted' : 'ts ts--ignored'} title={m.accepted ? 'accepted (first value of the turn)' : 'ignored (the cell already had a value)'}>
              {m.value}
            </code>
          ))}
        </span>
      )}
    </div>
  );
}

import { memo, useMemo } from 'react';
import type { TurnStatus } from '../core/brokerMessages.ts';
import { ItemView } from './ItemView.tsx';
import { StreamingText } from './StreamingText.tsx';
import type { TranscriptTurn } from './transcriptModel.ts';
import { TurnDetails } from './TurnDetails.tsx';

const ENDED_WITHOUT_ERROR: Partial<Record<TurnStatus, string>> = {
  failed: 'The turn failed.',
  stopped: 'Stopped.',
  interrupted: 'The turn was interrupted before it finished.',
};

/** One logical turn: the user's message, then everything the agent did for it. */
export const TurnView = memo(function TurnView({ turn, number }: { turn: TranscriptTurn; number: number }) {
  const toolNames = useMemo(() => {
    const names = new Map<string, string>();
    for (const e of turn.entries) {
      if (e.kind === 'item' && e.item.type === 'function_call') {
        const call = e.item as { call_id: string; name: string };
        names.set(call.call_id, call.name);
      }
    }
    return names;
  }, [turn.entries]);

  const problem = turn.status === 'completed' || turn.status === 'running' ? null : (turn.error ?? ENDED_WITHOUT_ERROR[turn.status]);

  return (
    <article className={`turn turn--${turn.status}`} aria-label={`Turn ${number}`}>
      {turn.userText !== '' && (
        <div className="turn__user">
          <div className="turn__user-text">{turn.userText}</div>
        </div>
      )}
      <div className="turn__agent">
        {turn.entries.map((entry) =>
          entry.kind === 'streaming' ? (
            <StreamingText key={entry.key} text={entry.text} partial={entry.partial} />
          ) : (
            <ItemView key={entry.key} item={entry.item} toolNames={toolNames} />
          ),
        )}
        {turn.status === 'running' && turn.entries.length === 0 && <div className="turn__pending">Working…</div>}
        {problem && (
          <div className={`turn__alert turn__alert--${turn.status}`} role="alert">
            {turn.status === 'stopped' && turn.error ? `Stopped: ${problem}` : problem}
          </div>
        )}
      </div>
      {turn.live && <TurnDetails live={turn.live} />}
    </article>
  );
});

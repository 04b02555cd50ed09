import { memo, useLayoutEffect, useRef } from 'react';
import type { TranscriptTurn } from './transcriptModel.ts';
import { TurnView } from './TurnView.tsx';

/** Distance from the bottom (px) within which the transcript keeps following new output. */
const STICK_THRESHOLD = 48;

/**
 * The conversation: role="log", busy while a turn runs. Follows new output while the reader is
 * at the bottom; scrolling up stops following until they scroll back down.
 *
 * Memoized: it renders (and reads the layout to follow the bottom) only when what it shows
 * changed, not whenever the layout around it does — another tab's turn re-renders that.
 */
export const Transcript = memo(function Transcript({ turns, running, emptyMessage, onRetry }: { turns: TranscriptTurn[]; running: boolean; emptyMessage: string; onRetry?: (() => void) | undefined }) {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  const onScroll = () => {
    const el = ref.current;
    if (el) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_THRESHOLD;
  };

  // After every render (new text, new turn), keep the bottom in view if we were following.
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  });

  return (
    <div ref={ref} className="transcript" role="log" aria-label="Transcript" aria-busy={running ? 'true' : 'false'} onScroll={onScroll}>
      <div className="transcript__inner">
        {turns.length === 0 && (
          <div className="transcript__empty">
            <p>{emptyMessage}</p>
          </div>
        )}
        {turns.map((turn, i) => (
          <TurnView key={turn.turnId} turn={turn} number={i + 1} onRetry={i === turns.length - 1 ? onRetry : undefined} />
        ))}
      </div>
    </div>
  );
});

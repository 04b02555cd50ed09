import { useLayoutEffect, useRef, type ReactNode } from 'react';
import type { TranscriptTurn } from './transcriptModel.ts';
import { TurnView } from './TurnView.tsx';

/** Distance from the bottom (px) within which the transcript keeps following new output. */
const STICK_THRESHOLD = 48;

/**
 * The conversation: role="log", busy while a turn runs. Follows new output while the reader is
 * at the bottom; scrolling up stops following until they scroll back down.
 */
export function Transcript({ turns, running, empty, onRetry }: { turns: TranscriptTurn[]; running: boolean; empty?: ReactNode; onRetry?: () => void }) {
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
        {turns.length === 0 && empty}
        {turns.map((turn, i) => (
          <TurnView key={turn.turnId} turn={turn} number={i + 1} onRetry={i === turns.length - 1 ? onRetry : undefined} />
        ))}
      </div>
    </div>
  );
}

import { memo, useLayoutEffect, useRef, type KeyboardEvent, type PointerEvent, type WheelEvent } from 'react';
import type { TranscriptTurn } from './transcriptModel.ts';
import { TurnView } from './TurnView.tsx';

/** Distance from the bottom (px) within which the transcript keeps following new output. */
const STICK_THRESHOLD = 48;
/** Keys that scroll a focused transcript up. */
const LEAVING_KEYS = new Set(['ArrowUp', 'PageUp', 'Home']);

/**
 * The conversation: role="log", busy while a turn runs. Follows new output while the reader is
 * at the bottom; scrolling up stops following until they scroll back down or a new turn starts.
 *
 * Memoized: it renders (and reads the layout to follow the bottom) only when what it shows
 * changed, not whenever the layout around it does — another tab's turn re-renders that.
 */
export const Transcript = memo(function Transcript({ turns, running, emptyMessage, onRetry }: { turns: TranscriptTurn[]; running: boolean; emptyMessage: string; onRetry?: (() => void) | undefined }) {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  /** The reader holds the scrollbar. */
  const dragging = useRef(false);
  /** scrollTop at the last scroll event: which way the view moved. */
  const lastTop = useRef(0);

  // Only the reader's own input leaves the bottom: a wheel or key up, a touch, the scrollbar.
  // A scroll event alone cannot tell: the one of the transcript's own scroll arrives after more
  // text may have grown the page past the threshold, and a box resized above the view (a chunk
  // laid out at last) moves it too. Judged by scroll events, a fast stream stopped following
  // after its first frames. Reaching the bottom follows again, but only moving down: the first
  // frames of a smooth scroll up are still near the bottom.
  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_THRESHOLD;
    const down = el.scrollTop >= lastTop.current;
    lastTop.current = el.scrollTop;
    if (atBottom && down) stick.current = true;
    else if (dragging.current) stick.current = atBottom;
  };
  const onWheel = (event: WheelEvent) => {
    const el = ref.current;
    if (event.deltaY < 0) stick.current = false;
    // A wheel down at the very bottom scrolls nothing, so no scroll event says it.
    else if (el && event.deltaY > 0 && el.scrollHeight - el.scrollTop - el.clientHeight < STICK_THRESHOLD) stick.current = true;
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (LEAVING_KEYS.has(event.key)) stick.current = false;
  };
  const onTouchMove = () => {
    stick.current = false;
  };
  const onPointerDown = (event: PointerEvent) => {
    const el = ref.current;
    // A press right of the content is on the scrollbar.
    if (el && event.nativeEvent.offsetX >= el.clientWidth) dragging.current = true;
  };
  const onPointerUp = () => {
    dragging.current = false;
  };

  // Whenever the content's height changes (new text, a new turn, a long answer converting to
  // markdown on its own timer, a chunk laid out at last), keep the bottom in view if following.
  // A ResizeObserver runs after the frame's layout: reading the height then forces none, where
  // reading it after every render did (a forced layout per streamed frame).
  const inner = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    const content = inner.current;
    if (!el || !content) return;
    const follow = () => {
      if (!stick.current) return;
      el.scrollTop = el.scrollHeight;
      lastTop.current = el.scrollTop;
    };
    follow();
    const observer = new ResizeObserver(follow);
    observer.observe(content);
    return () => observer.disconnect();
  }, []);

  // A new turn (most often the reader's own message) brings the bottom back.
  const turnCount = useRef(turns.length);
  useLayoutEffect(() => {
    if (turns.length > turnCount.current) stick.current = true;
    turnCount.current = turns.length;
  });

  return (
    <div
      ref={ref}
      className="transcript"
      role="log"
      aria-label="Transcript"
      aria-busy={running ? 'true' : 'false'}
      onScroll={onScroll}
      onWheel={onWheel}
      onKeyDown={onKeyDown}
      onTouchMove={onTouchMove}
      onPointerDown={onPointerDown}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
    >
      <div ref={inner} className="transcript__inner">
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

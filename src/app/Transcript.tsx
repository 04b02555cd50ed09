import { memo, useLayoutEffect, useRef, type KeyboardEvent, type PointerEvent, type TouchEvent, type WheelEvent } from 'react';
import type { TranscriptTurn } from './transcriptModel.ts';
import { TurnView } from './TurnView.tsx';

/** Distance from the bottom (px) within which the transcript keeps following new output. */
const STICK_THRESHOLD = 48;
/** Keys that scroll a focused transcript up. */
const LEAVING_KEYS = new Set(['ArrowUp', 'PageUp', 'Home']);
/** Within STICK_THRESHOLD of the end. */
const isAtBottom = (el: HTMLElement) => el.scrollHeight - el.scrollTop - el.clientHeight < STICK_THRESHOLD;
/** Shift+Space scrolls a page up too. */
const leavesBottom = (event: KeyboardEvent) => LEAVING_KEYS.has(event.key) || (event.key === ' ' && event.shiftKey);

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

  // The reader leaves the bottom by moving the view up: a wheel or key up, a touch, the
  // scrollbar, or any scroll that left the view higher than the transcript put it and no longer
  // at the bottom. The wheel's own scroll happens off the main thread, before its event: a
  // frame may already have followed the bottom again, so the moved view is checked too when
  // following. Not every scroll is the reader's: the event of the transcript's own scroll
  // arrives after more text may have grown the page past the threshold (it did not move up),
  // and a box resized above the view moves it by as much as the bottom (it is still at the
  // bottom). Judged by the distance to the bottom alone, a fast stream stopped following after
  // its first frames. Reaching the bottom follows again, but only moving down: the first frames
  // of a smooth scroll up are still near the bottom.
  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    const atBottom = isAtBottom(el);
    const down = el.scrollTop >= lastTop.current;
    lastTop.current = el.scrollTop;
    if (atBottom && down) stick.current = true;
    else if (!atBottom && (!down || dragging.current)) stick.current = false;
  };
  const onWheel = (event: WheelEvent) => {
    const el = ref.current;
    if (event.deltaY < 0) stick.current = false;
    // A wheel down at the very bottom scrolls nothing, so no scroll event says it.
    else if (el && event.deltaY > 0 && isAtBottom(el)) stick.current = true;
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (leavesBottom(event)) stick.current = false;
  };
  const touchY = useRef<number | null>(null);
  const onTouchStart = (event: TouchEvent) => {
    touchY.current = event.touches[0]?.clientY ?? null;
  };
  const onTouchMove = (event: TouchEvent) => {
    const y = event.touches[0]?.clientY;
    // A finger moving down pulls earlier text into view; moving up, at the bottom, scrolls nothing.
    if (y !== undefined && touchY.current !== null && y > touchY.current) stick.current = false;
    touchY.current = y ?? null;
  };
  const onPointerDown = (event: PointerEvent) => {
    const el = ref.current;
    // A press right of the content is on the scrollbar (overlay scrollbars take no room, so
    // there a drag up is not seen as leaving the bottom). The release may land anywhere.
    if (!el || event.nativeEvent.offsetX < el.clientWidth) return;
    dragging.current = true;
    const release = () => {
      dragging.current = false;
      window.removeEventListener('pointerup', release);
      window.removeEventListener('pointercancel', release);
    };
    window.addEventListener('pointerup', release);
    window.addEventListener('pointercancel', release);
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
      const movedUp = el.scrollTop < lastTop.current - 1 && !isAtBottom(el);
      if (movedUp) stick.current = false;
      if (!stick.current) return;
      el.scrollTop = el.scrollHeight;
      lastTop.current = el.scrollTop;
    };
    follow();
    const observer = new ResizeObserver(follow);
    observer.observe(content);
    observer.observe(el); // the view itself shrinking (the composer grows, the window resizes)
    return () => observer.disconnect();
  }, []);

  // A new turn (most often the reader's own message) brings the bottom back: a turn whose id
  // this transcript has not shown before, whatever else changes in the list.
  const knownTurns = useRef(new Set(turns.map((t) => t.turnId)));
  useLayoutEffect(() => {
    for (const turn of turns) {
      if (knownTurns.current.has(turn.turnId)) continue;
      knownTurns.current.add(turn.turnId);
      stick.current = true;
    }
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
      onTouchStart={onTouchStart}
      onTouchMove={onTouchMove}
      onPointerDown={onPointerDown}
      // Focusable, as a scrolling region should be: its keys scroll it, and say so (onKeyDown).
      tabIndex={0}
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

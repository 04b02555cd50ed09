import { memo } from 'react';
import type { StreamChunks } from '../core/streamChunks.ts';

/** A closed piece of streaming text; never re-renders (its string keeps its identity). */
const FrozenChunk = memo(function FrozenChunk({ text }: { text: string }) {
  return <div className="streaming__chunk streaming__chunk--frozen">{text}</div>;
});

/**
 * Text still streaming: plain text (markdown once it is done), as frozen chunks and an open
 * tail, so each frame re-lays-out only the tail and reads none of the rest (see streamChunks.ts).
 */
export function StreamingText({ chunks }: { chunks: StreamChunks }) {
  return (
    <div className="streaming">
      {chunks.frozen.map((chunk, i) => (
        <FrozenChunk key={i} text={chunk} />
      ))}
      <div className="streaming__chunk">
        {chunks.tail}
        <span className="streaming__caret" aria-hidden="true" />
      </div>
    </div>
  );
}

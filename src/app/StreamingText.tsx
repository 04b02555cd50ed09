import { memo, useRef } from 'react';
import { EMPTY_CHUNKS, extendChunks } from './streamChunks.ts';

/** A closed piece of streaming text; never re-renders (its string keeps its identity). */
const FrozenChunk = memo(function FrozenChunk({ text }: { text: string }) {
  return <div className="streaming__chunk streaming__chunk--frozen">{text}</div>;
});

/**
 * Text still streaming: plain text (markdown once it is done), split into frozen chunks and an
 * open tail so each frame re-lays-out only the tail (see streamChunks.ts).
 */
export function StreamingText({ text }: { text: string }) {
  const chunks = useRef(EMPTY_CHUNKS);
  chunks.current = extendChunks(chunks.current, text);
  const { frozen, frozenLength } = chunks.current;
  return (
    <div className="streaming">
      {frozen.map((chunk, i) => (
        <FrozenChunk key={i} text={chunk} />
      ))}
      <div className="streaming__chunk">
        {text.slice(frozenLength)}
        <span className="streaming__caret" aria-hidden="true" />
      </div>
    </div>
  );
}

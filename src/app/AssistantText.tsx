import { memo, useEffect, useMemo, useState } from 'react';
import { chunksOf, type StreamChunks } from '../core/streamChunks.ts';
import { renderMarkdown } from './markdown.ts';
import { splitMarkdownBlocks } from './markdownBlocks.ts';

/** Closed chunks per section (PlainSection). */
const SECTION_PIECES = 16;
/** Markdown work done per step while a long text converts; leaves the rest of the frame free. */
const STEP_BUDGET_MS = 6;

type Props =
  /** Text still arriving: plain text with a caret. */
  | { chunks: StreamChunks; text?: undefined }
  /** A finished message: sanitized markdown (markdown.ts). */
  | { text: string; chunks?: undefined };

/** A run of plain text, keyed by where it starts in the message. */
interface Piece {
  start: number;
  text: string;
}

/**
 * An assistant's text, while it streams and once it is done, as ONE component, so the finished
 * message takes over the streamed one's DOM instead of rebuilding it. TurnView renders both
 * under the same key (the item's id).
 *
 * Streaming, the text is its chunks (streamChunks.ts): each closed chunk its own node, so a frame
 * re-lays-out only the open tail. Finished, a short text is one markdown document. A long one
 * (markdownBlocks.ts) converts a few blocks per task; the text not converted yet stays on screen
 * as the same plain chunks, keyed by their offset, which are the very nodes the stream drew
 * (the chunking depends only on the text, so the whole text chunks as its stream did). Replacing
 * a streamed 1 MiB answer's ~250 nodes by new ones at once was a 50–85 ms task (setting the text,
 * removing the old nodes, laying out the new), and the tab's re-read of the thread did it again.
 */
export const AssistantText = memo(function AssistantText({ chunks, text }: Props) {
  // Every hook runs in both states: the component must stay the same one across the switch.
  const blocks = useMemo(() => (text === undefined ? null : splitMarkdownBlocks(text)), [text]);
  const progressive = blocks !== null && blocks.length > 1 ? blocks : null;
  const pieces = useMemo(() => (chunks ? piecesOf(chunks) : progressive ? piecesOf(chunksOf(text!)).filter((p) => p.text !== '') : []), [chunks, progressive, text]);
  const whole = useMemo(() => (blocks?.length === 1 ? renderMarkdown(text!) : null), [blocks, text]);
  const html = useProgressiveMarkdown(progressive);

  if (chunks) return <div className="answer">{plainSections(pieces, 0, true)}</div>;
  if (whole !== null) {
    return (
      <div className="answer answer--done">
        <div key="whole" className="markdown" dangerouslySetInnerHTML={{ __html: whole }} />
      </div>
    );
  }
  let convertedEnd = 0;
  for (let i = 0; i < html.length; i++) convertedEnd += progressive![i]!.length;
  // One flat list: the sections must be siblings keyed as the stream's were, not a nested
  // fragment, or React would not match them to the streamed nodes.
  const children = html.map((block, i) => <MarkdownBlock key={`m${i}`} html={block} text={progressive![i]!} />);
  children.push(...plainSections(pieces, convertedEnd, false));
  return <div className="answer answer--done">{children}</div>;
});

/**
 * The plain text from offset `from` on, in sections of SECTION_PIECES pieces, keyed by their
 * place in the whole text. `streaming`: the last piece is the open tail.
 */
function plainSections(pieces: readonly Piece[], from: number, streaming: boolean) {
  const sections = [];
  for (let first = 0; first < pieces.length; first += SECTION_PIECES) {
    const group = pieces.slice(first, first + SECTION_PIECES);
    const last = group.at(-1)!;
    if (from > 0 && last.start + last.text.length <= from) continue; // converted already
    const open = streaming && first + SECTION_PIECES >= pieces.length;
    // `from` only for the section it falls in: the others need not re-render as it moves.
    sections.push(<PlainSection key={`s${first}`} pieces={group} from={from > group[0]!.start ? from : 0} open={open} />);
  }
  return sections;
}

/**
 * Closed chunks grouped by SECTION_PIECES: a closed section off screen skips layout and paint
 * (content-visibility), and the answer's own children stay few. With every chunk a child of its
 * own, a streamed 1 MiB answer had ~250 of them, each one's distance to the viewport tracked
 * every frame (10–17 ms of a traced frame by the end), and long frames were twice as many.
 * Inside sections the chunks are skipped off screen too (app.css): checking them against the
 * viewport costs ~0.5 ms a frame there, and a section closing on screen then lays out only the
 * chunks in view (layout per 1 MiB stream −25 %).
 * Re-renders only when one of its pieces changed (in practice: the open section, and the one a
 * conversion step reaches).
 */
const PlainSection = memo(
  function PlainSection({ pieces, from, open }: { pieces: readonly Piece[]; from: number; open: boolean }) {
    const children = [];
    for (const [i, piece] of pieces.entries()) {
      const end = piece.start + piece.text.length;
      if (end <= from) continue;
      // The piece a converted block ends in shows only its rest (one new node per step).
      if (piece.start >= from) children.push(<PlainPiece key={piece.start} text={piece.text} open={open && i === pieces.length - 1} />);
      else children.push(<PlainPiece key={from} text={piece.text.slice(from - piece.start)} open={false} />);
    }
    const lines = pieces.reduce((sum, piece) => (piece.start + piece.text.length <= from ? sum : sum + estimatedLines(piece.text, true)), 0);
    return (
      <div className={open ? 'answer__section' : 'answer__section answer__section--closed'} style={placeholderHeight(lines)}>
        {children}
      </div>
    );
  },
  (a, b) => a.open === b.open && a.from === b.from && a.pieces.length === b.pieces.length && a.pieces.every((piece, i) => piece.text === b.pieces[i]!.text),
);

/** The HTML of the first blocks converted so far: a few blocks per task, so no single task
 *  renders a megabyte of markdown. Empty for no blocks. */
function useProgressiveMarkdown(blocks: readonly string[] | null): readonly string[] {
  // The HTML is kept with the blocks it was made from: when the text changes, the old HTML is
  // not shown for the new blocks, not even for one frame.
  const [converted, setConverted] = useState<{ blocks: readonly string[] | null; html: readonly string[] }>({ blocks, html: [] });
  useEffect(() => {
    if (!blocks) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done: string[] = [];
    const step = () => {
      const until = performance.now() + STEP_BUDGET_MS;
      do done.push(renderMarkdown(blocks[done.length]!));
      while (done.length < blocks.length && performance.now() < until);
      setConverted({ blocks, html: done.slice() });
      if (done.length < blocks.length) timer = setTimeout(step, 0);
    };
    timer = setTimeout(step, 0);
    return () => clearTimeout(timer);
  }, [blocks]);
  return blocks !== null && converted.blocks === blocks ? converted.html : [];
}

/** The chunks with their offsets; the open tail last (possibly empty while streaming). */
function piecesOf(chunks: StreamChunks): Piece[] {
  const pieces: Piece[] = [];
  let start = 0;
  for (const text of chunks.frozen) {
    pieces.push({ start, text });
    start += text.length;
  }
  pieces.push({ start, text: chunks.tail });
  return pieces;
}

/** Plain text; `open`, the end still streaming (with the caret). Re-renders only when its text
 *  changes, so a closed chunk's node is never touched again. */
const PlainPiece = memo(function PlainPiece({ text, open }: { text: string; open: boolean }) {
  if (!open) return <div className="answer__plain answer__plain--closed" style={placeholderHeight(estimatedLines(text, true))}>{text}</div>;
  return (
    <div className="answer__plain">
      {text}
      <span className="streaming__caret" aria-hidden="true" />
    </div>
  );
});

const MarkdownBlock = memo(function MarkdownBlock({ html, text }: { html: string; text: string }) {
  return <div className="markdown markdown__block" style={placeholderHeight(estimatedLines(text, false))} dangerouslySetInnerHTML={{ __html: html }} />;
});

/** Characters per line the estimates assume: the transcript's column holds 75–115 at 14 px. */
const CHARS_PER_LINE = 90;
/** The app's line height (app.css: 14px/1.5). */
const LINE_HEIGHT_EM = 1.5;

/**
 * About how many lines `text` takes (`plain`: pre-wrapped, where an empty line is a line; else
 * markdown, where it is a paragraph's margin). A box skipped off screen before it was ever laid
 * out is as tall as its placeholder: a fixed one made a finished 70 kB answer's page 40 % shorter
 * than the stream's, and moved a reader who had scrolled up.
 */
function estimatedLines(text: string, plain: boolean): number {
  let lines = 0;
  let from = 0;
  while (from <= text.length) {
    const newline = text.indexOf('\n', from);
    const end = newline === -1 ? text.length : newline;
    lines += end === from ? (plain ? 1 : 0.5) : Math.ceil((end - from) / CHARS_PER_LINE);
    if (newline === -1) break;
    from = newline + 1;
  }
  return lines;
}

/** The height a skipped box takes until it has been laid out once (then it keeps its own). */
function placeholderHeight(lines: number) {
  return { containIntrinsicSize: `auto ${Math.max(1, Math.round(lines * LINE_HEIGHT_EM))}em` };
}

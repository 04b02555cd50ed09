import { memo, useEffect, useMemo, useState } from 'react';
import { renderMarkdown } from './markdown.ts';
import { splitMarkdownBlocks } from './markdownBlocks.ts';

/** Markdown work done per step while a long text converts; leaves the rest of the frame free. */
const STEP_BUDGET_MS = 6;

/**
 * Finished assistant text as sanitized markdown (see markdown.ts). A long text (markdownBlocks.ts)
 * is converted a few blocks per task: the blocks not converted yet show as plain text meanwhile,
 * so all of it is readable at once and no single task renders a megabyte of markdown.
 */
export const MarkdownText = memo(function MarkdownText({ text }: { text: string }) {
  const blocks = useMemo(() => splitMarkdownBlocks(text), [text]);
  return blocks.length === 1 ? <WholeMarkdown text={text} /> : <ProgressiveMarkdown blocks={blocks} />;
});

function WholeMarkdown({ text }: { text: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}

function ProgressiveMarkdown({ blocks }: { blocks: readonly string[] }) {
  // The HTML is kept with the blocks it was made from: when the text changes, the old HTML is
  // not shown for the new blocks, not even for one frame.
  const [converted, setConverted] = useState<{ blocks: readonly string[]; html: readonly string[] }>({ blocks, html: [] });
  const html = converted.blocks === blocks ? converted.html : [];
  useEffect(() => {
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
  return (
    <div className="markdown">
      {blocks.map((block, i) => (i < html.length ? <MarkdownBlock key={i} html={html[i]!} /> : <PlainBlock key={i} text={block} />))}
    </div>
  );
}

const MarkdownBlock = memo(function MarkdownBlock({ html }: { html: string }) {
  return <div className="markdown__block" dangerouslySetInnerHTML={{ __html: html }} />;
});

const PlainBlock = memo(function PlainBlock({ text }: { text: string }) {
  return <div className="markdown__pending">{text}</div>;
});

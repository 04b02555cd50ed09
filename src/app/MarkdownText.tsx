import { memo, useMemo } from 'react';
import { renderMarkdown } from './markdown.ts';

/** Finished assistant text as sanitized markdown (see markdown.ts). */
export const MarkdownText = memo(function MarkdownText({ text }: { text: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
});

import { memo } from 'react';

/** Lines longer than this are cut in the view (the diff itself is whole). */
const LINE_DISPLAY_MAX = 2_000;
/** Diffs longer than this many lines show their start and say how much is left. */
const LINES_DISPLAY_MAX = 2_000;

function lineClass(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---')) return 'diff__line diff__line--file';
  if (line.startsWith('@@')) return 'diff__line diff__line--hunk';
  if (line.startsWith('+')) return 'diff__line diff__line--add';
  if (line.startsWith('-')) return 'diff__line diff__line--remove';
  return 'diff__line';
}

/** A unified diff, one line per row, additions and removals marked (by colour and by their
 *  leading + / -, so it reads the same without colour). */
export const DiffView = memo(function DiffView({ diff, label }: { diff: string; label: string }) {
  const lines = diff.replace(/\n$/, '').split('\n');
  const shown = lines.slice(0, LINES_DISPLAY_MAX);
  return (
    <pre className="diff" aria-label={label}>
      {shown.map((line, i) => (
        <div key={i} className={lineClass(line)}>
          {line.length > LINE_DISPLAY_MAX ? `${line.slice(0, LINE_DISPLAY_MAX)} …` : line || ' '}
        </div>
      ))}
      {lines.length > shown.length && <div className="diff__line diff__line--more">… {lines.length - shown.length} more lines</div>}
    </pre>
  );
});

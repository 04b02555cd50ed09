import { useMemo } from 'react';
import { MAX_PREVIEW_BYTES, type FilePreview } from '../../sw/workspaceFolders.ts';
import { formatBytes } from '../core/workspaceImport.ts';

/** More lines than this are not rendered: a minified bundle is one line, a log can be millions. */
export const MAX_VIEW_LINES = 5_000;

/** The selected file's text with line numbers (drawn by CSS, so copying the text leaves them
 *  out), or why it is not shown. */
export function FileViewer({ path, preview, error, loading }: { path: string | null; preview: FilePreview | undefined; error: Error | null; loading: boolean }) {
  const lines = useMemo(() => {
    if (!preview || preview.binary) return [];
    const all = preview.text.split('\n');
    if (all.length > 1 && all.at(-1) === '') all.pop(); // the final newline ends a line; it starts none
    return all;
  }, [preview]);
  const shown = lines.slice(0, MAX_VIEW_LINES);

  let body;
  if (path === null) body = <p className="viewer__note">Choose a file in the tree to see it here.</p>;
  else if (error) body = <p className="viewer__note viewer__note--error">Could not read “{path}”: {error.message}</p>;
  else if (loading || !preview) body = <p className="viewer__note">Loading…</p>;
  else if (preview.binary) body = <p className="viewer__note">This is a binary file ({formatBytes(preview.size)}); it is not shown.</p>;
  else {
    const cuts: string[] = [];
    if (preview.cut) cuts.push(`Showing the first ${formatBytes(MAX_PREVIEW_BYTES)} of ${formatBytes(preview.size)}.`);
    if (lines.length > MAX_VIEW_LINES) cuts.push(`Showing the first ${MAX_VIEW_LINES.toLocaleString('en')} of ${lines.length.toLocaleString('en')}${preview.cut ? '+' : ''} lines.`);
    body = (
      <>
        {cuts.length > 0 && <p className="viewer__note viewer__note--cut">{cuts.join(' ')}</p>}
        {preview.size === 0 ? (
          <p className="viewer__note">This file is empty.</p>
        ) : (
          // Focusable so the keyboard can scroll it.
          <pre className="viewer__code" tabIndex={0} aria-label={`Contents of ${path}`}>
            <code>
              {shown.map((line, i) => (
                <span key={i} className="viewer__line">
                  {line}
                  {'\n'}
                </span>
              ))}
            </code>
          </pre>
        )}
      </>
    );
  }

  return (
    <section className="viewer" aria-label="File viewer">
      <div className="viewer__head">
        <span className="viewer__path mono">{path ?? 'No file selected'}</span>
        {preview && path !== null && !error && <span className="viewer__size">{formatBytes(preview.size)}</span>}
      </div>
      {body}
    </section>
  );
}

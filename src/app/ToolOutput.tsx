import { memo } from 'react';
import type { FunctionCallOutputItem } from '../core/wire.ts';

/** Shown at most this many characters of a tool's output; the rest is summarised. */
const OUTPUT_DISPLAY_MAX = 20_000;

/** A tool's result, collapsed by default (outputs can be long). */
export const ToolOutput = memo(function ToolOutput({ item, toolName }: { item: FunctionCallOutputItem; toolName?: string }) {
  const output = typeof item.output === 'string' ? item.output : JSON.stringify(item.output, null, 2);
  const lines = output === '' ? 0 : output.split('\n').length;
  const shown = output.length > OUTPUT_DISPLAY_MAX ? output.slice(0, OUTPUT_DISPLAY_MAX) : output;
  const hidden = output.length - shown.length;
  return (
    <details className="tool tool--output">
      <summary className="tool__head">
        <span className="tool__badge">output</span>
        {toolName && <code className="tool__name">{toolName}</code>}
        <span className="tool__meta">
          {lines} {lines === 1 ? 'line' : 'lines'}
        </span>
      </summary>
      <pre className="tool__body">
        {shown}
        {hidden > 0 && <span className="tool__more">{`\n… ${hidden.toLocaleString()} more characters not shown`}</span>}
      </pre>
    </details>
  );
});

import { memo } from 'react';
import type { FunctionCallItem } from '../core/wire.ts';

function prettyArguments(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

/** A function call the model made: its name and arguments. */
export const ToolCall = memo(function ToolCall({ item }: { item: FunctionCallItem }) {
  const args = prettyArguments(item.arguments);
  return (
    <div className="tool tool--call">
      <div className="tool__head">
        <span className="tool__badge">tool</span>
        <code className="tool__name">{item.name}</code>
      </div>
      {args !== '' && args !== '{}' && <pre className="tool__body">{args}</pre>}
    </div>
  );
});

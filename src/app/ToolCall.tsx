import { memo } from 'react';
import type { FunctionCallItem } from '../core/wire.ts';

function prettyArguments(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

/** Arguments that are text with lines of their own (a patch, code, a file's content) read best
 *  as that text, not as an escaped JSON string. */
const TEXT_ARGUMENTS = ['patch', 'code', 'content'];

function textArgument(raw: string): { name: string; text: string; rest: string } | null {
  try {
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    const name = TEXT_ARGUMENTS.find((key) => typeof parsed?.[key] === 'string' && (parsed[key] as string).includes('\n'));
    if (!name) return null;
    const { [name]: text, ...others } = parsed;
    return { name, text: text as string, rest: Object.keys(others).length > 0 ? JSON.stringify(others) : '' };
  } catch {
    return null;
  }
}

/** A function call the model made: its name and arguments. */
export const ToolCall = memo(function ToolCall({ item }: { item: FunctionCallItem }) {
  const text = textArgument(item.arguments);
  if (text) {
    return (
      <div className="tool tool--call">
        <div className="tool__head">
          <span className="tool__badge">tool</span>
          <code className="tool__name">{item.name}</code>
          {text.rest && <code className="tool__meta">{text.rest}</code>}
        </div>
        <pre className="tool__body" aria-label={`${item.name} ${text.name}`}>
          {text.text}
        </pre>
      </div>
    );
  }
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

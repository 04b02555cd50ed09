import { memo } from 'react';
import type { Item } from '../core/wire.ts';

/** Any item type the app does not render specially (reasoning, compaction, …), as JSON. */
export const UnknownItem = memo(function UnknownItem({ item }: { item: Item }) {
  return (
    <details className="unknown-item">
      <summary>
        <span className="tool__badge">{item.type}</span>
      </summary>
      <pre className="tool__body">{JSON.stringify(item, null, 2)}</pre>
    </details>
  );
});

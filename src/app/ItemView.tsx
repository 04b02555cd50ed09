import { memo } from 'react';
import { COMPACTION_MARKER, type CompactionMarker } from '../core/compaction.ts';
import { messageText, type FunctionCallItem, type FunctionCallOutputItem, type Item, type MessageItem } from '../core/wire.ts';
import { ToolCall } from './ToolCall.tsx';
import { ToolOutput } from './ToolOutput.tsx';
import { UnknownItem } from './UnknownItem.tsx';

/** One finished item of a turn, by type. `toolNames` maps call_id → tool name. An assistant's
 *  message is not one of them: TurnView draws it as AssistantText under the key its stream had. */
export const ItemView = memo(function ItemView({ item, toolNames }: { item: Item; toolNames: ReadonlyMap<string, string> }) {
  switch (item.type) {
    case 'message': {
      const message = item as MessageItem;
      return (
        <div className={`message message--${message.role}`}>
          <span className="message__role">{message.role}</span>
          <div className="message__text">{messageText(message)}</div>
        </div>
      );
    }
    case COMPACTION_MARKER: {
      const marker = item as unknown as CompactionMarker;
      return (
        <div className="compaction-note" role="note">
          Context compacted: {marker.itemsBefore} {marker.itemsBefore === 1 ? 'item' : 'items'} of history became {marker.output.length}. The conversation goes on in window {marker.window}.
        </div>
      );
    }
    case 'function_call':
      return <ToolCall item={item as FunctionCallItem} />;
    case 'function_call_output': {
      const output = item as FunctionCallOutputItem;
      return <ToolOutput item={output} toolName={toolNames.get(output.call_id)} />;
    }
    default:
      return <UnknownItem item={item} />;
  }
});

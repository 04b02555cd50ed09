// The offline engine's answer to `POST /v1/responses/compact` (PROTOCOL.md §4.8): the whole
// conversation becomes one user message that summarises it. A real server returns opaque
// `compaction` items instead; one readable message keeps the compacted thread inspectable.
import { messageText, userMessage, type Item, type MessageItem } from '../../../src/core/wire.ts';
import { oneLine, truncate } from './markdown.ts';

/** How every summary starts; the agent recognises its own summaries by it (isCompactionSummary). */
export const COMPACTION_SUMMARY_PREFIX = 'Summary of the earlier conversation';
/** How many of the latest user requests a summary names. */
const SUMMARY_RECENT_ASKS = 5;
const SUMMARY_ASK_MAX_CHARS = 200;

/** Replaces a conversation with one user message that summarises it. */
export function compactConversation(items: readonly Item[]): Item[] {
  // An earlier summary contributes the requests it named, so a twice-compacted thread still
  // remembers them, and summaries do not nest.
  const asks = items
    .flatMap((item) => (isCompactionSummary(item) ? summarisedAsks(item) : isUserMessage(item) ? [oneLine(messageText(item))] : []))
    .filter((text) => text !== '');
  const recent = asks.slice(-SUMMARY_RECENT_ASKS).map((text) => `- ${truncate(text, SUMMARY_ASK_MAX_CHARS)}`);
  const lines = [
    `${COMPACTION_SUMMARY_PREFIX} (${items.length} items, compacted by Switchboard's offline engine).`,
    recent.length > 0 ? `The user asked:\n${recent.join('\n')}` : 'The user has not asked anything yet.',
  ];
  return [userMessage(lines.join('\n'))];
}

/**
 * A summary quotes earlier requests ("- create a project"); read as a request it would make the
 * agent redo finished work after every compaction, so the agent skips these messages.
 */
export function isCompactionSummary(item: Item): boolean {
  return isUserMessage(item) && messageText(item).startsWith(COMPACTION_SUMMARY_PREFIX);
}

/** The requests an earlier summary listed (its "- …" lines), as they were written there. */
function summarisedAsks(summary: Item): string[] {
  return messageText(summary).split('\n').filter((line) => line.startsWith('- ')).map((line) => line.slice(2));
}

export function isUserMessage(item: Item): item is MessageItem {
  return item.type === 'message' && (item as { role?: unknown }).role === 'user';
}

// Merges what is persisted (IndexedDB, via TanStack Query) with what is live (the broker's
// events) into the turns the transcript shows. Pure, so the "no duplicates, no gaps" rule is
// unit-tested rather than eyeballed.
//
// Rule: each persisted turn shows its user text and its items, then the progress the broker saved
// while it ran (finished items not yet in the history, text that was streaming): live text for a
// turn still running, saved text for one that was interrupted. A turn the live store has, whose
// persisted status is missing or 'running', shows the live version instead (user text, done
// items, streaming text) and its persisted items are ignored. A live turn whose persisted record
// shows it ended is no longer needed: it is listed in `forget`.
//
// The last turn of the thread, when it failed or was interrupted and nothing runs, can be
// retried: `retryText` is the message to send again.
import type { ApprovalRequest, TurnChangeSet, TurnStatus } from '../core/brokerMessages.ts';
import { itemIdOf, type LiveMetadataValue, type LiveThread, type LiveTurn } from '../core/liveTurns.ts';
import type { ItemRecord, TurnRecord } from '../core/threadStore.ts';
import { chunksOf, streamedText, type StreamChunks } from '../core/streamChunks.ts';
import { messageText, type Item } from '../core/wire.ts';
import type { ThreadData } from './queries.ts';

/** Entries of a turn are keyed by their item's id wherever it comes from (streaming, live, saved),
 *  so an item keeps its place in the DOM as it finishes and as the tab re-reads the thread;
 *  items without an id by position. Text cut off (saved-text) has keys of its own: it is drawn
 *  differently. */
export type TranscriptEntry =
  | { kind: 'item'; key: string; item: Item }
  /** Text arriving now (shown with a caret), as the renderer reads it (see streamChunks.ts). */
  | { kind: 'streaming'; key: string; chunks: StreamChunks }
  /** Text that was streaming when the turn was cut off; it never finished. */
  | { kind: 'saved-text'; key: string; text: string };

export interface TranscriptTurn {
  threadId: string;
  turnId: string;
  /** `compaction`: a "Compact thread" turn (no user message). */
  kind: 'turn' | 'compaction';
  userText: string;
  status: TurnStatus;
  error?: string;
  entries: TranscriptEntry[];
  /** Calls waiting for a person's approval (only while the turn runs). */
  approvals: readonly ApprovalRequest[];
  /** Files the turn changed, per tool call. */
  changes: readonly TurnChangeSet[];
  /** When its changes were reverted. */
  revertedAt?: number;
  /** Things that went wrong without ending the turn (a compaction that failed), live only. */
  notices: readonly string[];
  /** Details only a live turn has (requests, transport, turn-state values), else null. */
  live: { requests: number; resends: number; transport: 'ws' | 'http' | null; metadata: readonly LiveMetadataValue[] } | null;
}

export interface Transcript {
  turns: TranscriptTurn[];
  /** Whether a turn of this thread is running (drives aria-busy and the Stop button). */
  running: boolean;
  /** Live turns the persisted data shows as ended: drop them from the live store. */
  forget: string[];
  /** The user text of the last turn when it can be retried (it failed or was interrupted). */
  retryText: string | null;
}

function idKey(id: string): string;
function idKey(id: string | undefined): string | undefined;
function idKey(id: string | undefined): string | undefined {
  return id === undefined ? undefined : `id:${id}`;
}

/** An id seen twice in one turn (not expected from a server) falls back to the entry's position,
 *  so React never sees a duplicate key. */
function withUniqueKeys(entries: TranscriptEntry[]): TranscriptEntry[] {
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    if (!seen.has(entry.key)) {
      seen.add(entry.key);
      return entry;
    }
    const key = `${entry.key}#${i}`;
    seen.add(key);
    return { ...entry, key };
  });
}

const ENDED = (status: TurnStatus | undefined) => status !== undefined && status !== 'running';

/** Drops the item that repeats the turn's user text (the model input starts with it). */
function withoutUserEcho(items: readonly Item[], userText: string): Item[] {
  const echo = items.findIndex((item) => item.type === 'message' && (item as { role?: unknown }).role === 'user' && messageText(item) === userText);
  return echo === -1 ? [...items] : items.filter((_, i) => i !== echo);
}

function fromPersisted(turn: TurnRecord, records: readonly ItemRecord[]): TranscriptTurn {
  const byIndex = new Map(records.map((r) => [r.item, r.index] as const));
  const entries: TranscriptEntry[] = withoutUserEcho(
    records.map((r) => r.item),
    turn.userText,
  ).map((item) => ({ kind: 'item', key: idKey(itemIdOf(item)) ?? `p${byIndex.get(item)}`, item }));
  if (turn.progress) {
    // Progress holds output not yet in the history; an item saved in both is shown once.
    const saved = new Set<string>(records.flatMap((r) => itemIdOf(r.item) ?? []));
    turn.progress.items.forEach((item, i) => {
      const id = itemIdOf(item);
      if (id !== undefined && saved.has(id)) return;
      if (id !== undefined) saved.add(id);
      entries.push({ kind: 'item', key: idKey(id) ?? `g${i}`, item });
    });
    for (const s of turn.progress.streaming) {
      if (saved.has(s.itemId) || s.text === '') continue;
      entries.push(turn.status === 'running' ? { kind: 'streaming', key: idKey(s.itemId), chunks: chunksOf(s.text) } : { kind: 'saved-text', key: `t:${s.itemId}`, text: s.text });
    }
  }
  return {
    threadId: turn.threadId,
    turnId: turn.id,
    kind: turn.kind ?? 'turn',
    userText: turn.userText,
    status: turn.status,
    ...(turn.error !== undefined && { error: turn.error }),
    entries: withUniqueKeys(entries),
    approvals: [],
    changes: turn.changes ?? [],
    notices: [],
    ...(turn.revertedAt !== undefined && { revertedAt: turn.revertedAt }),
    live: null,
  };
}

function fromLive(turn: LiveTurn, persisted: TurnRecord | undefined): TranscriptTurn {
  const userText = turn.userText ?? persisted?.userText ?? '';
  const done = withoutUserEcho(
    turn.entries.flatMap((e) => (e.kind === 'done' ? [e.item] : [])),
    userText,
  );
  const keep = new Set(done);
  const entries: TranscriptEntry[] = [];
  turn.entries.forEach((e, i) => {
    if (e.kind === 'streaming') entries.push(turn.status === 'running' ? { kind: 'streaming', key: idKey(e.itemId), chunks: e.chunks } : { kind: 'saved-text', key: `t:${e.itemId}`, text: streamedText(e.chunks) });
    else if (keep.has(e.item)) entries.push({ kind: 'item', key: idKey(itemIdOf(e.item)) ?? `l${i}`, item: e.item });
  });
  return {
    threadId: turn.threadId,
    turnId: turn.turnId,
    kind: persisted?.kind ?? (userText === '' ? 'compaction' : 'turn'),
    userText,
    status: turn.status,
    ...(turn.error !== undefined && { error: turn.error }),
    entries: withUniqueKeys(entries),
    approvals: turn.status === 'running' ? turn.approvals : [],
    changes: turn.changes,
    notices: turn.compactionErrors,
    live: { requests: turn.requests, resends: turn.resends, transport: turn.transport, metadata: turn.metadata },
  };
}

export function buildTranscript(data: ThreadData | undefined, live: LiveThread | undefined): Transcript {
  const persistedTurns = data?.turns ?? [];
  const itemsByTurn = new Map<string, ItemRecord[]>();
  for (const record of data?.items ?? []) {
    let list = itemsByTurn.get(record.turnId);
    if (!list) itemsByTurn.set(record.turnId, (list = []));
    list.push(record);
  }
  const liveById = new Map((live?.turns ?? []).map((t) => [t.turnId, t] as const));
  const persistedIds = new Set(persistedTurns.map((t) => t.id));

  const turns: TranscriptTurn[] = [];
  const forget: string[] = [];
  for (const turn of persistedTurns) {
    const liveTurn = liveById.get(turn.id);
    if (liveTurn && !ENDED(turn.status)) turns.push(fromLive(liveTurn, turn));
    else {
      if (liveTurn) forget.push(turn.id);
      turns.push(fromPersisted(turn, itemsByTurn.get(turn.id) ?? []));
    }
  }

  // Items whose turn has no record (none expected; shown rather than silently lost), placed
  // before the first turn whose items come after them.
  for (const [turnId, records] of itemsByTurn) {
    if (persistedIds.has(turnId) || liveById.has(turnId)) continue;
    const orphan = fromPersisted({ id: turnId, threadId: '', tabId: '', userText: '', status: 'completed', startedAt: 0 }, records);
    const first = records[0]!.index;
    const at = turns.findIndex((t) => (itemsByTurn.get(t.turnId)?.[0]?.index ?? Infinity) > first);
    turns.splice(at === -1 ? turns.length : at, 0, orphan);
  }

  // Live turns not persisted yet come last, in the order this tab heard of them.
  for (const liveTurn of live?.turns ?? []) {
    if (!persistedIds.has(liveTurn.turnId)) turns.push(fromLive(liveTurn, undefined));
  }

  const running = turns.some((t) => t.status === 'running');
  const last = turns.at(-1);
  const retryText = !running && last && (last.status === 'failed' || last.status === 'interrupted') && last.userText !== '' ? last.userText : null;
  return { turns, running, forget, retryText };
}

// Merges what is persisted (IndexedDB, via TanStack Query) with what is live (the broker's
// events) into the turns the transcript shows. Pure, so the "no duplicates, no gaps" rule is
// unit-tested rather than eyeballed.
//
// Rule: each persisted turn shows its user text and its items. A turn the live store has, whose
// persisted status is missing or 'running', shows the live version instead (user text, done
// items, streaming text) and its persisted items are ignored. A live turn whose persisted record
// shows it ended is no longer needed: it is listed in `forget`.
import type { TurnStatus } from '../core/brokerMessages.ts';
import { itemIdOf, type LiveMetadataValue, type LiveThread, type LiveTurn } from '../core/liveTurns.ts';
import type { ItemRecord, TurnRecord } from '../core/threadStore.ts';
import { messageText, type Item } from '../core/wire.ts';
import type { ThreadData } from './queries.ts';

export type TranscriptEntry =
  | { kind: 'item'; key: string; item: Item }
  | { kind: 'streaming'; key: string; text: string; partial: boolean };

export interface TranscriptTurn {
  turnId: string;
  userText: string;
  status: TurnStatus;
  error?: string;
  entries: TranscriptEntry[];
  /** Details only a live turn has (requests, transport, turn-state values), else null. */
  live: { requests: number; resends: number; transport: 'ws' | 'http' | null; metadata: readonly LiveMetadataValue[] } | null;
}

export interface Transcript {
  turns: TranscriptTurn[];
  /** Whether a turn of this thread is running (drives aria-busy and the Stop button). */
  running: boolean;
  /** Live turns the persisted data shows as ended: drop them from the live store. */
  forget: string[];
}

const ENDED = (status: TurnStatus | undefined) => status !== undefined && status !== 'running';

/** Drops the item that repeats the turn's user text (the model input starts with it). */
function withoutUserEcho(items: readonly Item[], userText: string): Item[] {
  const echo = items.findIndex((item) => item.type === 'message' && (item as { role?: unknown }).role === 'user' && messageText(item) === userText);
  return echo === -1 ? [...items] : items.filter((_, i) => i !== echo);
}

function fromPersisted(turn: TurnRecord, records: readonly ItemRecord[]): TranscriptTurn {
  const byIndex = new Map(records.map((r) => [r.item, r.index] as const));
  return {
    turnId: turn.id,
    userText: turn.userText,
    status: turn.status,
    ...(turn.error !== undefined && { error: turn.error }),
    entries: withoutUserEcho(
      records.map((r) => r.item),
      turn.userText,
    ).map((item) => ({ kind: 'item', key: `p${byIndex.get(item)}`, item })),
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
    if (e.kind === 'streaming') entries.push({ kind: 'streaming', key: `s:${e.itemId}`, text: e.text, partial: e.partial });
    else if (keep.has(e.item)) entries.push({ kind: 'item', key: itemIdOf(e.item) !== undefined ? `i:${itemIdOf(e.item)}` : `l${i}`, item: e.item });
  });
  return {
    turnId: turn.turnId,
    userText,
    status: turn.status,
    ...(turn.error !== undefined && { error: turn.error }),
    entries,
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

  return { turns, running: turns.some((t) => t.status === 'running'), forget };
}

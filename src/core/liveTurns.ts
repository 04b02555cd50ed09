// The tab's store of what the broker is doing right now: live turns per thread (streaming text,
// finished items, turn-state values), the latest inspector state and the connection state.
// Pure: no DOM, no React. React reads it with `useSyncExternalStore(subscribe, getSnapshot)`;
// TanStack Query reads what is persisted, and the transcript merges the two.
//
// Invariants
// - `getSnapshot()` returns the same object until something visible changes, and every object
//   inside it is immutable: an unchanged thread / turn / entry keeps its identity, so selectors
//   and `React.memo` can compare by reference.
// - `apply(events)` processes a whole batch and notifies listeners at most once. Within one
//   batch each touched object is copied once and then mutated in place ("draft" objects), so a
//   batch of 1,000 deltas to one item costs one copy, not 1,000.
// - Events of a forgotten turn are ignored (a tombstone), so a late `turn.ended` cannot resurrect
//   a turn that the persisted data already shows as ended.
import type {
  BrokerEvent,
  ConnectionState,
  InspectorState,
  ThreadEvent,
  TurnStatus,
} from './brokerMessages.ts';
import type { Item } from './wire.ts';

/** An item the server finished (`item.done`): final, rendered as markdown / tool step. */
export interface LiveDoneEntry {
  readonly kind: 'done';
  readonly item: Item;
}

/** Text still streaming for one output item. */
export interface LiveStreamingEntry {
  readonly kind: 'streaming';
  readonly itemId: string;
  readonly text: string;
  /** True when this tab may have missed the beginning or part of the text (it joined mid-turn,
   *  or a seq gap hit while the item streamed); `item.done` replaces it with the full item. */
  readonly partial: boolean;
}

export type LiveEntry = LiveDoneEntry | LiveStreamingEntry;

export interface LiveMetadataValue {
  readonly value: string;
  readonly accepted: boolean;
}

export interface LiveTurn {
  readonly threadId: string;
  readonly turnId: string;
  /** null when this tab never saw `turn.started` (it joined mid-turn). */
  readonly tabId: string | null;
  readonly userText: string | null;
  readonly status: TurnStatus;
  readonly error?: string;
  /** Output in the order it first appeared; a done item replaces its streaming entry in place. */
  readonly entries: readonly LiveEntry[];
  /** Every turn-state value the server returned during the turn, with the broker's verdict. */
  readonly metadata: readonly LiveMetadataValue[];
  /** Requests started so far (`turn.request`), resends included. */
  readonly requests: number;
  readonly resends: number;
  readonly transport: 'ws' | 'http' | null;
  readonly lastResendReason?: string;
}

export interface LiveThread {
  readonly threadId: string;
  /** Live turns in the order this tab first heard of them. */
  readonly turns: readonly LiveTurn[];
}

export interface LiveConnection {
  readonly state: ConnectionState;
  readonly detail?: string;
}

export interface LiveSnapshot {
  readonly threads: Readonly<Record<string, LiveThread>>;
  readonly inspector: InspectorState | null;
  /** null until the first `connection` event. */
  readonly connection: LiveConnection | null;
  /** Seq gaps detected since the store was created (any thread). */
  readonly gaps: number;
}

/** What the caller should do after a batch; the store itself performs no I/O. */
export interface ApplyEffects {
  /** Threads whose persisted data should be re-read: `thread.changed`, a seq gap, a turn end. */
  readonly invalidateThreads: readonly string[];
  /** Threads where a seq gap was detected in this batch (a subset of `invalidateThreads`). */
  readonly gapThreads: readonly string[];
}

export interface LiveTurnStore {
  apply(events: readonly BrokerEvent[]): ApplyEffects;
  /** Drops a turn once the persisted data shows it ended; later events for it are ignored. */
  forget(threadId: string, turnId: string): void;
  subscribe(listener: () => void): () => void;
  getSnapshot(): LiveSnapshot;
}

const EMPTY_SNAPSHOT: LiveSnapshot = { threads: {}, inspector: null, connection: null, gaps: 0 };

/** Mutable shapes used only for objects copied during the current `apply`. */
type DraftTurn = { -readonly [K in keyof LiveTurn]: LiveTurn[K] } & {
  entries: LiveEntry[];
  metadata: LiveMetadataValue[];
};
type DraftStreaming = { -readonly [K in keyof LiveStreamingEntry]: LiveStreamingEntry[K] };

export function createLiveTurnStore(): LiveTurnStore {
  let snapshot: LiveSnapshot = EMPTY_SNAPSHOT;
  const listeners = new Set<() => void>();
  /** Last seq seen per thread (not part of the snapshot: it changes on every event). */
  const lastSeq = new Map<string, number>();
  /** Tombstones: `${threadId}\u0000${turnId}` of forgotten turns. */
  const forgotten = new Set<string>();

  const turnKey = (threadId: string, turnId: string) => `${threadId}\u0000${turnId}`;

  function notify(): void {
    for (const listener of [...listeners]) listener();
  }

  function apply(events: readonly BrokerEvent[]): ApplyEffects {
    // Drafts: objects copied during this batch, safe to mutate until the batch ends.
    let threads: Record<string, LiveThread> | null = null;
    const draftTurnLists = new Map<string, LiveTurn[]>();
    const draftTurns = new Set<LiveTurn>();
    const draftEntries = new Set<LiveEntry>();
    let inspector = snapshot.inspector;
    let connection = snapshot.connection;
    let gaps = snapshot.gaps;
    let changed = false;
    const invalidate = new Set<string>();
    const gapThreads = new Set<string>();

    function writableThreads(): Record<string, LiveThread> {
      threads ??= { ...snapshot.threads };
      return threads;
    }

    function currentThread(threadId: string): LiveThread | undefined {
      return (threads ?? snapshot.threads)[threadId];
    }

    function writableTurnList(threadId: string): LiveTurn[] {
      let list = draftTurnLists.get(threadId);
      if (!list) {
        list = [...(currentThread(threadId)?.turns ?? [])];
        draftTurnLists.set(threadId, list);
        writableThreads()[threadId] = { threadId, turns: list };
      }
      return list;
    }

    /** The turn as a draft (copied once per batch), created when missing and `create` is set. */
    function writableTurn(threadId: string, turnId: string, create: boolean): DraftTurn | null {
      const existing = currentThread(threadId)?.turns.findIndex((t) => t.turnId === turnId) ?? -1;
      if (existing === -1 && !create) return null;
      const list = writableTurnList(threadId);
      changed = true;
      if (existing === -1) {
        const turn: DraftTurn = {
          threadId,
          turnId,
          tabId: null,
          userText: null,
          status: 'running',
          entries: [],
          metadata: [],
          requests: 0,
          resends: 0,
          transport: null,
        };
        list.push(turn);
        draftTurns.add(turn);
        return turn;
      }
      const current = list[existing]!;
      if (draftTurns.has(current)) return current as DraftTurn;
      const copy: DraftTurn = { ...current, entries: [...current.entries], metadata: [...current.metadata] };
      list[existing] = copy;
      draftTurns.add(copy);
      return copy;
    }

    function writableStreaming(turn: DraftTurn, index: number): DraftStreaming {
      const entry = turn.entries[index] as LiveStreamingEntry;
      if (draftEntries.has(entry)) return entry as DraftStreaming;
      const copy: DraftStreaming = { ...entry };
      turn.entries[index] = copy;
      draftEntries.add(copy);
      return copy;
    }

    /** Marks every streaming entry of the thread's running turns as possibly incomplete. */
    function markThreadStreamsPartial(threadId: string): void {
      for (const t of currentThread(threadId)?.turns ?? []) {
        if (!t.entries.some((e) => e.kind === 'streaming' && !e.partial)) continue;
        const turn = writableTurn(threadId, t.turnId, false)!;
        turn.entries.forEach((e, i) => {
          if (e.kind === 'streaming' && !e.partial) writableStreaming(turn, i).partial = true;
        });
      }
    }

    function applyThreadEvent(event: ThreadEvent): void {
      const { threadId, turnId } = event;
      const previous = lastSeq.get(threadId);
      lastSeq.set(threadId, event.seq);
      // Continuity is broken on a gap, and also on first contact with a thread that is not the
      // start of a turn: text streamed before this tab listened may be missing.
      const firstContact = previous === undefined;
      const gap = !firstContact && event.seq !== previous + 1;
      if (gap) {
        gaps++;
        changed = true;
        gapThreads.add(threadId);
        invalidate.add(threadId);
      }

      if (!forgotten.has(turnKey(threadId, turnId))) applyTurnEvent(event);
      if (gap || (firstContact && event.kind !== 'turn.started')) markThreadStreamsPartial(threadId);
    }

    function applyTurnEvent(event: ThreadEvent): void {
      const { threadId, turnId } = event;
      switch (event.kind) {
        case 'turn.started': {
          const turn = writableTurn(threadId, turnId, true)!;
          turn.tabId = event.tabId;
          turn.userText = event.userText;
          return;
        }
        case 'turn.request': {
          const turn = writableTurn(threadId, turnId, true)!;
          turn.requests++;
          turn.transport = event.transport;
          if (event.resend) {
            turn.resends++;
            if (event.reason !== undefined) turn.lastResendReason = event.reason;
            // The dead attempt's unfinished text is dropped; finished items stay.
            turn.entries = turn.entries.filter((e) => e.kind === 'done');
          }
          return;
        }
        case 'text.delta': {
          if (event.delta === '') return;
          const turn = writableTurn(threadId, turnId, true)!;
          const index = turn.entries.findIndex((e) => e.kind === 'streaming' && e.itemId === event.itemId);
          if (index === -1) {
            // A delta for an item that already finished is stale; ignore it.
            if (turn.entries.some((e) => e.kind === 'done' && itemIdOf(e.item) === event.itemId)) return;
            const entry: DraftStreaming = { kind: 'streaming', itemId: event.itemId, text: event.delta, partial: false };
            turn.entries.push(entry);
            draftEntries.add(entry);
          } else {
            writableStreaming(turn, index).text += event.delta;
          }
          return;
        }
        case 'item.done': {
          const turn = writableTurn(threadId, turnId, true)!;
          const done: LiveDoneEntry = { kind: 'done', item: event.item };
          const id = itemIdOf(event.item);
          const index =
            id === undefined
              ? -1
              : turn.entries.findIndex((e) => (e.kind === 'streaming' ? e.itemId === id : itemIdOf(e.item) === id));
          if (index === -1) turn.entries.push(done);
          else turn.entries[index] = done;
          return;
        }
        case 'turn.metadata': {
          const turn = writableTurn(threadId, turnId, true)!;
          turn.metadata.push({ value: event.value, accepted: event.accepted });
          return;
        }
        case 'turn.ended': {
          const turn = writableTurn(threadId, turnId, true)!;
          turn.status = event.status;
          if (event.error !== undefined) turn.error = event.error;
          invalidate.add(threadId);
          return;
        }
      }
    }

    for (const event of events) {
      switch (event.kind) {
        case 'thread.changed':
          invalidate.add(event.threadId);
          break;
        case 'inspector':
          if (event.state !== inspector) {
            inspector = event.state;
            changed = true;
          }
          break;
        case 'connection':
          if (connection?.state !== event.state || connection.detail !== event.detail) {
            connection = event.detail === undefined ? { state: event.state } : { state: event.state, detail: event.detail };
            changed = true;
          }
          break;
        default:
          applyThreadEvent(event);
      }
    }

    if (changed) {
      snapshot = { threads: threads ?? snapshot.threads, inspector, connection, gaps };
      notify();
    }
    return { invalidateThreads: [...invalidate], gapThreads: [...gapThreads] };
  }

  function forget(threadId: string, turnId: string): void {
    forgotten.add(turnKey(threadId, turnId));
    const thread = snapshot.threads[threadId];
    if (!thread || !thread.turns.some((t) => t.turnId === turnId)) return;
    const turns = thread.turns.filter((t) => t.turnId !== turnId);
    const threads = { ...snapshot.threads };
    if (turns.length === 0) delete threads[threadId];
    else threads[threadId] = { threadId, turns };
    snapshot = { ...snapshot, threads };
    notify();
  }

  return {
    apply,
    forget,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    getSnapshot: () => snapshot,
  };
}

/** Whether a thread has a turn the broker is still running, as far as this tab has heard. */
export function hasRunningTurn(thread: LiveThread | undefined): boolean {
  return thread?.turns.some((t) => t.status === 'running') ?? false;
}

/** An item's server-assigned id, when it has one (function_call_output items do not). */
export function itemIdOf(item: Item): string | undefined {
  const id = (item as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

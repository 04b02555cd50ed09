// The tab's store of what the broker is doing right now: live turns per thread (streaming text,
// finished items, turn-state values), the latest inspector state, the connection state and the
// state of this tab's link to the broker. Pure: no DOM, no React. React reads it with
// `useSyncExternalStore(subscribe, getSnapshot)`; TanStack Query reads what is persisted, and
// the transcript merges the two.
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
//
// Joining mid-turn (snapshot + sequence numbers). A tab that opens a thread calls `beginSync`,
// asks the broker for the thread's running turn (`openThread` → `LiveTurnSnapshot`), and hands
// the answer to `endSync`. Between the two, the thread's events are held back. `endSync` seeds
// the turn from the snapshot, then applies the held events whose seq is greater than the
// snapshot's and drops the others (they are in the snapshot); events still in flight on the
// channel with seq ≤ the snapshot's are dropped too. The result: everything so far, then the
// live stream, no gap and no duplicate. A seq gap later on (or a resend that voids items whose
// request the snapshot did not say) is reported in `resyncThreads`: the caller syncs again.
//
// Voided requests. When `turn.request` arrives with `resend: true` and number r, request r-1
// died mid-response: its streaming text and its finished items are not part of the
// conversation, so they are dropped, and late events of r-1 are ignored.
import type {
  ApprovalRequest,
  BrokerEvent,
  ConnectionState,
  TurnChangeSet,
  InspectorState,
  LiveTurnSnapshot,
  ThreadEvent,
  TurnStatus,
} from './brokerMessages.ts';
import type { Item } from './wire.ts';
import { appendToChunks, chunksOf, type StreamChunks } from './streamChunks.ts';

/** An item the server finished (`item.done`): final, rendered as markdown / tool step. */
export interface LiveDoneEntry {
  readonly kind: 'done';
  readonly item: Item;
  /** The request it belongs to; null when it came from a snapshot, which does not say. */
  readonly request: number | null;
}

/** Text still streaming for one output item. */
export interface LiveStreamingEntry {
  readonly kind: 'streaming';
  readonly itemId: string;
  /** The text so far, as the renderer reads it, kept as the deltas arrive (streamedText() joins
   *  it back: reading one long grown string would copy all of it, see streamChunks.ts). */
  readonly chunks: StreamChunks;
  readonly request: number;
}

export type LiveEntry = LiveDoneEntry | LiveStreamingEntry;

export interface LiveMetadataValue {
  readonly value: string;
  readonly accepted: boolean;
}

export interface LiveTurn {
  readonly threadId: string;
  readonly turnId: string;
  /** null when this tab never learned who started it (it heard only later events). */
  readonly tabId: string | null;
  readonly userText: string | null;
  readonly status: TurnStatus;
  readonly error?: string;
  /** Output in the order it first appeared; a done item replaces its streaming entry in place. */
  readonly entries: readonly LiveEntry[];
  /** Every turn-state value the server returned during the turn, with the broker's verdict. */
  readonly metadata: readonly LiveMetadataValue[];
  /** The current request's number (1 for the first; resends and follow-ups count). */
  readonly requests: number;
  /** Resends this tab saw. */
  readonly resends: number;
  readonly transport: 'ws' | 'http' | null;
  readonly lastResendReason?: string;
  /** Requests that died mid-response: their events are ignored. */
  readonly voided: readonly number[];
  /** The request current when the turn was seeded from a snapshot; null when built from events. */
  readonly seededAtRequest: number | null;
  /** Calls waiting for a person's approval (they show in every tab viewing the thread). */
  readonly approvals: readonly ApprovalRequest[];
  /** Files the turn's calls changed, per call. */
  readonly changes: readonly TurnChangeSet[];
  /** Why compactions of the turn failed (the turn went on without them). */
  readonly compactionErrors: readonly string[];
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

/** This tab's link to the broker (not the broker's link to the server). */
export type BrokerLinkState =
  | { readonly state: 'connecting' }
  | { readonly state: 'ready' }
  /** The broker died; a new one is being started. */
  | { readonly state: 'restarting' }
  /** The broker could not be started or does not answer. */
  | { readonly state: 'down'; readonly detail: string };

export interface LiveSnapshot {
  readonly threads: Readonly<Record<string, LiveThread>>;
  readonly inspector: InspectorState | null;
  /** null until the first `connection` event (of the current broker). */
  readonly connection: LiveConnection | null;
  readonly link: BrokerLinkState;
  /** Seq gaps detected since the store was created (any thread). */
  readonly gaps: number;
  /** A counter per workspace id, bumped by every `workspace.changed`: file trees and viewers
   *  select their workspace's entry and re-read when it moves. */
  readonly workspaces: Readonly<Record<string, number>>;
}

/** What the caller should do after a batch; the store itself performs no I/O. */
export interface ApplyEffects {
  /** Threads whose persisted data should be re-read: `thread.changed`, a seq gap, a turn end. */
  readonly invalidateThreads: readonly string[];
  /** A thread's own record changed (`thread.changed` with `record`): thread lists re-read too. */
  readonly relistThreads: boolean;
  /** Threads whose live state can no longer be trusted (a seq gap, or a resend voiding items
   *  the snapshot did not attribute to a request): sync them again (`openThread`). */
  readonly resyncThreads: readonly string[];
}

export interface LiveTurnStore {
  apply(events: readonly BrokerEvent[]): ApplyEffects;
  /** Holds back the thread's events until `endSync`; call it just before asking the broker for
   *  a snapshot. Returns a token for `endSync`. */
  beginSync(threadId: string): number;
  /**
   * Ends a sync started with `token`: seeds the thread from the broker's answer (`null`: no turn
   * runs; `undefined`: the call failed, nothing to seed) and applies the held-back events that
   * the snapshot does not include. A stale token (a newer sync started, or the broker
   * restarted) changes nothing.
   */
  endSync(threadId: string, token: number, snapshot: LiveTurnSnapshot | null | undefined): ApplyEffects;
  /** The broker died and a new one starts: its sequence numbers start over, nothing it ran is
   *  still running, and its connection and inspector state are gone. */
  brokerRestarted(): void;
  setLink(link: BrokerLinkState): void;
  /** Drops a turn once the persisted data shows it ended; later events for it are ignored. */
  forget(threadId: string, turnId: string): void;
  /** The tab stopped listening to the thread's channel (it shows another one): what it holds of
   *  the thread would go stale, so it is dropped; opening the thread again syncs it afresh. */
  detach(threadId: string): void;
  subscribe(listener: () => void): () => void;
  getSnapshot(): LiveSnapshot;
}

const EMPTY_SNAPSHOT: LiveSnapshot = { threads: {}, inspector: null, connection: null, link: { state: 'connecting' }, gaps: 0, workspaces: {} };
const NO_EFFECTS: ApplyEffects = { invalidateThreads: [], relistThreads: false, resyncThreads: [] };

/** Whether `effects` ask the caller for anything (re-reads, resyncs); `relistThreads` comes only
 *  with a thread to re-read. */
export function hasEffects(effects: ApplyEffects): boolean {
  return effects.invalidateThreads.length > 0 || effects.resyncThreads.length > 0;
}

/** Mutable shapes used only for objects copied during the current batch. */
type DraftTurn = { -readonly [K in keyof LiveTurn]: LiveTurn[K] } & {
  entries: LiveEntry[];
  metadata: LiveMetadataValue[];
};
// (approvals, changes and compactionErrors are replaced, never mutated in place.)
type DraftStreaming = { -readonly [K in keyof LiveStreamingEntry]: LiveStreamingEntry[K] };

interface PendingSync {
  token: number;
  held: ThreadEvent[];
}

export function createLiveTurnStore(): LiveTurnStore {
  let snapshot: LiveSnapshot = EMPTY_SNAPSHOT;
  const listeners = new Set<() => void>();
  /** Last seq applied per thread (not part of the snapshot: it changes on every event). */
  const lastSeq = new Map<string, number>();
  /** Seq of the snapshot a thread was seeded from, until a later event arrives: events at or
   *  below it are already in the snapshot. (Once a later one arrived, the channel delivers in
   *  order, so no earlier one can follow.) */
  const floors = new Map<string, number>();
  const syncs = new Map<string, PendingSync>();
  let nextToken = 1;
  /** Tombstones: `${threadId}\u0000${turnId}` of forgotten turns. */
  const forgotten = new Set<string>();

  const turnKey = (threadId: string, turnId: string) => `${threadId}\u0000${turnId}`;

  function notify(): void {
    for (const listener of [...listeners]) listener();
  }

  /** One batch of changes: copies what it touches once, publishes once in `commit`. */
  function openBatch() {
    let threads: Record<string, LiveThread> | null = null;
    const draftTurnLists = new Map<string, LiveTurn[]>();
    const draftTurns = new Set<LiveTurn>();
    const draftEntries = new Set<LiveEntry>();
    let inspector = snapshot.inspector;
    let connection = snapshot.connection;
    let gaps = snapshot.gaps;
    let workspaces = snapshot.workspaces;
    let changed = false;
    const invalidate = new Set<string>();
    let relist = false;
    const resync = new Set<string>();

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

    function newTurn(threadId: string, turnId: string): DraftTurn {
      return {
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
        voided: [],
        seededAtRequest: null,
        approvals: [],
        changes: [],
        compactionErrors: [],
      };
    }

    /** The turn as a draft (copied once per batch), created when missing and `create` is set. */
    function writableTurn(threadId: string, turnId: string, create: boolean): DraftTurn | null {
      const existing = currentThread(threadId)?.turns.findIndex((t) => t.turnId === turnId) ?? -1;
      if (existing === -1 && !create) return null;
      const list = writableTurnList(threadId);
      changed = true;
      if (existing === -1) {
        const turn = newTurn(threadId, turnId);
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

    function removeTurns(threadId: string, drop: (turn: LiveTurn) => boolean): void {
      const thread = currentThread(threadId);
      if (!thread?.turns.some(drop)) return;
      const list = writableTurnList(threadId);
      for (let i = list.length - 1; i >= 0; i--) if (drop(list[i]!)) list.splice(i, 1);
      if (list.length === 0) {
        delete writableThreads()[threadId];
        draftTurnLists.delete(threadId);
      }
      changed = true;
    }

    function threadEvent(event: ThreadEvent): void {
      const { threadId } = event;
      const floor = floors.get(threadId);
      if (floor !== undefined) {
        if (event.seq <= floor) return; // already part of the snapshot
        floors.delete(threadId);
      }
      const previous = lastSeq.get(threadId);
      lastSeq.set(threadId, event.seq);
      // First contact (no previous seq) cannot be judged; anything else must be the next seq.
      // A lower seq than expected is a gap too: a broker that restarted unnoticed starts over.
      if (previous !== undefined && event.seq !== previous + 1) {
        gaps++;
        changed = true;
        resync.add(threadId);
        invalidate.add(threadId);
      }
      if (!forgotten.has(turnKey(threadId, event.turnId))) turnEvent(event);
    }

    function turnEvent(event: ThreadEvent): void {
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
          turn.requests = Math.max(turn.requests, event.request);
          turn.transport = event.transport;
          if (event.resend) {
            const dead = event.request - 1;
            turn.resends++;
            if (event.reason !== undefined) turn.lastResendReason = event.reason;
            turn.voided = [...turn.voided, dead];
            turn.entries = turn.entries.filter((e) => e.request !== dead);
            // Items from a snapshot carry no request: if the dead request is the one the snapshot
            // was taken in, some of them may be void. Only the broker can say which.
            if (turn.seededAtRequest !== null && dead <= turn.seededAtRequest && turn.entries.some((e) => e.request === null)) resync.add(threadId);
          }
          return;
        }
        case 'text.delta': {
          if (event.delta === '') return;
          if (currentThread(threadId)?.turns.find((t) => t.turnId === turnId)?.voided.includes(event.request)) return;
          const turn = writableTurn(threadId, turnId, true)!;
          const index = turn.entries.findIndex((e) => e.kind === 'streaming' && e.itemId === event.itemId);
          if (index === -1) {
            // A delta for an item that already finished is stale; ignore it.
            if (turn.entries.some((e) => e.kind === 'done' && itemIdOf(e.item) === event.itemId)) return;
            const entry: DraftStreaming = { kind: 'streaming', itemId: event.itemId, chunks: chunksOf(event.delta), request: event.request };
            turn.entries.push(entry);
            draftEntries.add(entry);
          } else {
            const streaming = writableStreaming(turn, index);
            streaming.chunks = appendToChunks(streaming.chunks, event.delta);
          }
          return;
        }
        case 'item.done': {
          if (currentThread(threadId)?.turns.find((t) => t.turnId === turnId)?.voided.includes(event.request)) return;
          const turn = writableTurn(threadId, turnId, true)!;
          const done: LiveDoneEntry = { kind: 'done', item: event.item, request: event.request };
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
        case 'approval.requested': {
          const turn = writableTurn(threadId, turnId, true)!;
          if (!turn.approvals.some((a) => a.approvalId === event.approval.approvalId)) turn.approvals = [...turn.approvals, event.approval];
          return;
        }
        case 'approval.resolved': {
          const turn = writableTurn(threadId, turnId, true)!;
          turn.approvals = turn.approvals.filter((a) => a.approvalId !== event.approvalId);
          return;
        }
        case 'turn.changes': {
          const turn = writableTurn(threadId, turnId, true)!;
          turn.changes = [...turn.changes, event.changeSet];
          return;
        }
        case 'turn.compacted': {
          if (event.error === undefined) return; // a compaction that worked shows as its marker item
          const turn = writableTurn(threadId, turnId, true)!;
          turn.compactionErrors = [...turn.compactionErrors, event.error];
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

    function brokerEvent(event: BrokerEvent): void {
      switch (event.kind) {
        case 'thread.changed':
          invalidate.add(event.threadId);
          relist ||= event.record;
          return;
        case 'workspace.changed':
          workspaces = { ...workspaces, [event.workspaceId]: (workspaces[event.workspaceId] ?? 0) + 1 };
          changed = true;
          return;
        case 'inspector':
          if (event.state !== inspector) {
            inspector = event.state;
            changed = true;
          }
          return;
        case 'connection':
          if (connection?.state !== event.state || connection.detail !== event.detail) {
            connection = event.detail === undefined ? { state: event.state } : { state: event.state, detail: event.detail };
            changed = true;
          }
          return;
        default: {
          const sync = syncs.get(event.threadId);
          if (sync) sync.held.push(event);
          else threadEvent(event);
        }
      }
    }

    /** Replaces what the thread's live state says about running turns with the broker's word. */
    function seed(threadId: string, live: LiveTurnSnapshot | null): void {
      // One turn runs per thread: any other turn this tab thinks is running has ended (its end
      // is in the persisted data, which the caller re-reads).
      removeTurns(threadId, (t) => t.status === 'running' && t.turnId !== live?.turnId);
      if (live === null) {
        // No seq to start from: the next event starts continuity afresh.
        lastSeq.delete(threadId);
        floors.delete(threadId);
        invalidate.add(threadId);
        return;
      }
      lastSeq.set(threadId, live.seq);
      floors.set(threadId, live.seq);
      if (forgotten.has(turnKey(threadId, live.turnId))) return;
      const turn = writableTurn(threadId, live.turnId, true)!;
      const fresh = newTurn(threadId, live.turnId);
      Object.assign(turn, fresh, {
        tabId: live.tabId,
        userText: live.userText,
        requests: live.request,
        seededAtRequest: live.request,
        // The snapshot has none of these; keep what this tab saw.
        transport: turn.transport,
        metadata: turn.metadata,
        resends: turn.resends,
        voided: turn.voided,
        compactionErrors: turn.compactionErrors,
        approvals: live.approvals,
        changes: live.changes,
        ...(turn.lastResendReason !== undefined && { lastResendReason: turn.lastResendReason }),
        entries: [
          ...live.items.map((item): LiveDoneEntry => ({ kind: 'done', item, request: null })),
          ...live.streaming.map((s): LiveStreamingEntry => ({ kind: 'streaming', itemId: s.itemId, chunks: chunksOf(s.text), request: live.request })),
        ],
      });
    }

    function markRunningInterrupted(): void {
      for (const thread of Object.values(threads ?? snapshot.threads)) {
        for (const t of thread.turns) {
          if (t.status === 'running') writableTurn(thread.threadId, t.turnId, false)!.status = 'interrupted';
        }
      }
    }

    function resetBrokerState(): void {
      if (connection !== null || inspector !== null) changed = true;
      connection = null;
      inspector = null;
    }

    function commit(): ApplyEffects {
      if (changed) {
        snapshot = { threads: threads ?? snapshot.threads, inspector, connection, link: snapshot.link, gaps, workspaces };
        notify();
      }
      if (invalidate.size === 0 && resync.size === 0) return NO_EFFECTS;
      return { invalidateThreads: [...invalidate], relistThreads: relist, resyncThreads: [...resync] };
    }

    return { brokerEvent, threadEvent, seed, markRunningInterrupted, resetBrokerState, commit };
  }

  function apply(events: readonly BrokerEvent[]): ApplyEffects {
    const batch = openBatch();
    for (const event of events) batch.brokerEvent(event);
    return batch.commit();
  }

  function beginSync(threadId: string): number {
    const token = nextToken++;
    const held = syncs.get(threadId)?.held ?? [];
    syncs.set(threadId, { token, held });
    return token;
  }

  function endSync(threadId: string, token: number, live: LiveTurnSnapshot | null | undefined): ApplyEffects {
    const sync = syncs.get(threadId);
    if (!sync || sync.token !== token) return NO_EFFECTS;
    syncs.delete(threadId);
    const batch = openBatch();
    if (live !== undefined) batch.seed(threadId, live);
    for (const event of sync.held) batch.threadEvent(event);
    return batch.commit();
  }

  function brokerRestarted(): void {
    lastSeq.clear();
    floors.clear();
    syncs.clear(); // their calls went to the dead broker; the caller syncs again
    const batch = openBatch();
    batch.markRunningInterrupted();
    batch.resetBrokerState();
    batch.commit();
  }

  function setLink(link: BrokerLinkState): void {
    const current = snapshot.link;
    if (current.state === link.state && (current as { detail?: string }).detail === (link as { detail?: string }).detail) return;
    snapshot = { ...snapshot, link };
    notify();
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

  function detach(threadId: string): void {
    lastSeq.delete(threadId);
    floors.delete(threadId);
    syncs.delete(threadId);
    if (!(threadId in snapshot.threads)) return;
    const threads = { ...snapshot.threads };
    delete threads[threadId];
    snapshot = { ...snapshot, threads };
    notify();
  }

  return {
    apply,
    beginSync,
    endSync,
    brokerRestarted,
    setLink,
    forget,
    detach,
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

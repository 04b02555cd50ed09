// What the broker and the tabs persist, behind one narrow interface: IndexedDB (idb) in the
// browser, an in-memory map in unit tests. The broker writes; tabs read (through TanStack Query).
import type { Item } from './wire.ts';
import type { TurnChangeSet, TurnStatus } from './brokerMessages.ts';
import type { RecordedChangeSet } from './turnChanges.ts';

/** What the agent may do in a thread without asking (issue 4): `read-only` refuses writes and
 *  run_js, `ask` (the default) waits for the user on each, `auto` never asks. */
export type ApprovalPolicy = 'read-only' | 'ask' | 'auto';
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = 'ask';

export interface ThreadRecord {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  /** The workspace the thread's tools work on; absent: the default OPFS workspace. */
  workspaceId?: string;
  /** Absent: DEFAULT_APPROVAL_POLICY. */
  approvalPolicy?: ApprovalPolicy;
}

export interface TurnRecord {
  id: string;
  threadId: string;
  tabId: string;
  userText: string;
  status: TurnStatus;
  error?: string;
  startedAt: number;
  endedAt?: number;
  /** Absent: a turn started by a user message. `compaction`: a "Compact thread" turn. */
  kind?: 'compaction';
  /** Files the turn's tool calls changed, as shown (path, kind, diff). Their contents before and
   *  after, which a revert needs, are kept apart (ThreadStore.putChangeSet): the record is
   *  rewritten on every progress save, and those contents can be megabytes. */
  changes?: TurnChangeSet[];
  /** When "Revert this turn's changes" restored them. */
  revertedAt?: number;
  /** While the turn runs: output not yet final, saved at item boundaries and every few hundred
   *  ms, so a crash or a closed last tab loses at most the last moments of text. Cleared when
   *  the turn ends (its final items are then in the items store). */
  progress?: TurnProgress;
}

export interface TurnProgress {
  items: Item[];
  streaming: { itemId: string; text: string }[];
  savedAt: number;
}

export interface ItemRecord {
  threadId: string;
  turnId: string;
  /** Position in the thread; items are the model's input history in this order. */
  index: number;
  item: Item;
}

export interface ThreadStore {
  listThreads(): Promise<ThreadRecord[]>;
  getThread(id: string): Promise<ThreadRecord | undefined>;
  putThread(thread: ThreadRecord): Promise<void>;
  deleteThread(id: string): Promise<void>;
  listTurns(threadId: string): Promise<TurnRecord[]>;
  putTurn(turn: TurnRecord): Promise<void>;
  listItems(threadId: string): Promise<ItemRecord[]>;
  /** Appends items after the thread's last one, in one transaction. */
  appendItems(threadId: string, turnId: string, items: Item[]): Promise<void>;
  /** Every turn whose status is 'running' (at broker start these are orphans: interrupted). */
  listRunningTurns(): Promise<TurnRecord[]>;
  /** Reads and replaces the thread's record in one transaction, so concurrent updates of different
   *  fields (a title, a policy, a workspace) do not undo each other. `change` gets the record
   *  (undefined: none yet) and returns the new one. */
  updateThread(id: string, change: (current: ThreadRecord | undefined) => ThreadRecord): Promise<ThreadRecord>;
  /** A turn's start in one transaction: the thread's record (`change`, as in updateThread), the
   *  turn's record, and its first items (the user's message) after the thread's last ones. One
   *  transaction, not three in a row: IndexedDB runs a thread's writes one after another, behind
   *  every tab's reads of the same stores. */
  beginTurn(change: (current: ThreadRecord | undefined) => ThreadRecord, turn: TurnRecord, items: Item[]): Promise<void>;
  /** Keeps what one tool call changed, contents included, for a later revert of its turn. */
  putChangeSet(threadId: string, turnId: string, set: RecordedChangeSet): Promise<void>;
  /** A turn's change sets, in the order they were put. */
  listChangeSets(turnId: string): Promise<RecordedChangeSet[]>;
}

/** An in-memory store with the same semantics as the IndexedDB one; for tests and fallbacks. */
export function createMemoryThreadStore(): ThreadStore {
  const threads = new Map<string, ThreadRecord>();
  const turns = new Map<string, TurnRecord>();
  const items: ItemRecord[] = [];
  const changeSets: { threadId: string; turnId: string; set: RecordedChangeSet }[] = [];
  const clone = <T>(value: T): T => structuredClone(value);
  /** Replaces the thread's record with `change` of (a copy of) the current one; returns it. */
  const updateRecord = (id: string, change: (current: ThreadRecord | undefined) => ThreadRecord): ThreadRecord => {
    const next = clone(change(threads.has(id) ? clone(threads.get(id)!) : undefined));
    threads.set(id, next);
    return next;
  };
  /** Appends after the thread's last item. */
  const addItems = (threadId: string, turnId: string, newItems: Item[]) => {
    let next = items.filter((r) => r.threadId === threadId).length;
    for (const item of newItems) items.push({ threadId, turnId, index: next++, item: clone(item) });
  };
  return {
    async listThreads() {
      return [...threads.values()].map(clone).sort((a, b) => b.updatedAt - a.updatedAt);
    },
    async getThread(id) {
      const t = threads.get(id);
      return t && clone(t);
    },
    async putThread(thread) {
      threads.set(thread.id, clone(thread));
    },
    async deleteThread(id) {
      threads.delete(id);
      for (const [key, turn] of turns) if (turn.threadId === id) turns.delete(key);
      for (let i = items.length - 1; i >= 0; i--) if (items[i]!.threadId === id) items.splice(i, 1);
      for (let i = changeSets.length - 1; i >= 0; i--) if (changeSets[i]!.threadId === id) changeSets.splice(i, 1);
    },
    async updateThread(id, change) {
      return clone(updateRecord(id, change));
    },
    async putChangeSet(threadId, turnId, set) {
      changeSets.push({ threadId, turnId, set: clone(set) });
    },
    async listChangeSets(turnId) {
      return changeSets.filter((c) => c.turnId === turnId).map((c) => clone(c.set));
    },
    async listTurns(threadId) {
      return [...turns.values()].filter((t) => t.threadId === threadId).map(clone).sort((a, b) => a.startedAt - b.startedAt);
    },
    async putTurn(turn) {
      turns.set(turn.id, clone(turn));
    },
    async listRunningTurns() {
      return [...turns.values()].filter((t) => t.status === 'running').map(clone);
    },
    async listItems(threadId) {
      return items.filter((r) => r.threadId === threadId).map(clone);
    },
    async appendItems(threadId, turnId, newItems) {
      addItems(threadId, turnId, newItems);
    },
    async beginTurn(change, turn, newItems) {
      updateRecord(turn.threadId, change);
      turns.set(turn.id, clone(turn));
      addItems(turn.threadId, turn.id, newItems);
    },
  };
}

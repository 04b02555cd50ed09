// The ThreadStore in IndexedDB (via idb). Used by the tabs (reads; creating and renaming
// threads) and by the broker worker (writing turns and items), so it must not touch the DOM:
// only `indexedDB`, which exists in windows and workers alike.
import { openDB, type DBSchema, type IDBPDatabase, type IDBPObjectStore, type IDBPTransaction, type StoreNames } from 'idb';
import { sanitizeSettings, type SettingsStore, type UserSettings } from '../core/settings.ts';
import type { ItemRecord, ThreadRecord, ThreadStore, TurnRecord } from '../core/threadStore.ts';
import type { RecordedChangeSet } from '../core/turnChanges.ts';
import type { Item } from '../core/wire.ts';
import { defaultWorkspaceRecord, DEFAULT_WORKSPACE_ID, refuseDeletingDefault, sortWorkspaces, type WorkspaceRecord, type WorkspaceRegistry } from '../core/workspaceRegistry.ts';
import { planImport, type ImportPlan, type ThreadArchive } from './threadArchive.ts';

export const DEFAULT_DB_NAME = 'switchboard';

interface SwitchboardDB extends DBSchema {
  threads: { key: string; value: ThreadRecord };
  turns: { key: string; value: TurnRecord; indexes: { byThread: string; byStatus: string } };
  items: { key: [string, number]; value: ItemRecord; indexes: { byThread: string } };
  /** One record, under SETTINGS_KEY: what the user saved (src/core/settings.ts). Read back
   *  through sanitizeSettings, since anything may have been written there. */
  settings: { key: string; value: Partial<UserSettings> };
  /** The workspaces threads can be bound to (src/core/workspaceRegistry.ts); a local folder's
   *  FileSystemDirectoryHandle is stored in its record (handles are structured-clonable). */
  workspaces: { key: string; value: WorkspaceRecord };
  /** What each tool call changed, contents before and after (ThreadStore.putChangeSet), under
   *  [turnId, seq]: read only by a revert, never with the transcript. */
  changeSets: { key: [string, number]; value: ChangeSetRecord; indexes: { byThread: string } };
}

interface ChangeSetRecord {
  threadId: string;
  turnId: string;
  seq: number;
  set: RecordedChangeSet;
}

/** The key of the one record in the `settings` store. */
export const SETTINGS_KEY = 'user';

type Db = IDBPDatabase<SwitchboardDB>;
type UpgradeTx = IDBPTransaction<SwitchboardDB, StoreNames<SwitchboardDB>[], 'versionchange'>;

/**
 * Schema migrations, one per version: `MIGRATIONS[n]` upgrades a database from version n to
 * n + 1. Append a function to add a version; never edit a shipped one. The upgrade runs every
 * step from the database's old version, so a user who skipped releases still ends up current.
 */
const MIGRATIONS: readonly ((db: Db, tx: UpgradeTx) => void)[] = [
  // 0 → 1: the initial schema.
  (db) => {
    db.createObjectStore('threads', { keyPath: 'id' });
    const turns = db.createObjectStore('turns', { keyPath: 'id' });
    turns.createIndex('byThread', 'threadId');
    const items = db.createObjectStore('items', { keyPath: ['threadId', 'index'] });
    items.createIndex('byThread', 'threadId');
  },
  // 1 → 2: find running turns without a scan (a new broker marks them interrupted).
  (_db, tx) => {
    tx.objectStore('turns').createIndex('byStatus', 'status');
  },
  // 2 → 3: the user's settings (one record, out-of-line key SETTINGS_KEY).
  (db) => {
    db.createObjectStore('settings');
  },
  // 3 → 4: the workspace registry. The default workspace needs no record (reads synthesise it).
  (db) => {
    db.createObjectStore('workspaces', { keyPath: 'id' });
  },
  // 4 → 5: the contents each tool call changed, apart from the turn records that show them.
  (db) => {
    db.createObjectStore('changeSets', { keyPath: ['turnId', 'seq'] }).createIndex('byThread', 'threadId');
  },
];

export const DB_VERSION = MIGRATIONS.length;

/** Every item key of one thread: [threadId, -∞] … [threadId, +∞]. */
const itemsOf = (threadId: string) => IDBKeyRange.bound([threadId, -Infinity], [threadId, Infinity]);

/** Adds `items` after the thread's last one, in the caller's transaction. The next index is read
 *  inside that transaction, so two concurrent appends cannot pick the same index. */
async function addItems(store: IDBPObjectStore<SwitchboardDB, ArrayLike<StoreNames<SwitchboardDB>>, 'items', 'readwrite'>, threadId: string, turnId: string, items: Item[]): Promise<void> {
  if (items.length === 0) return;
  const last = await store.openKeyCursor(itemsOf(threadId), 'prev');
  let next = last ? last.key[1] + 1 : 0;
  await Promise.all(items.map((item) => store.add({ threadId, turnId, index: next++, item })));
}

/** A thread with its turns and items, read in one transaction (a consistent snapshot). */
export interface ThreadSnapshot {
  thread: ThreadRecord | undefined;
  turns: TurnRecord[];
  items: ItemRecord[];
}

/** Threads, settings and workspaces over one connection: the tabs and the broker worker both use
 *  it (the worker passes it as the broker's `settingsStore` and resolves workspaces from it). */
export interface IdbThreadStore extends ThreadStore, SettingsStore, WorkspaceRegistry {
  /** With `known`, a snapshot the caller read before: only the items after its last one are read
   *  (items are only ever appended), unless that last item is gone or another (the thread was
   *  deleted, and an import reused its id): then all of them. The thread's record and its turns,
   *  which change in place, are always read. */
  readThread(id: string, known?: ThreadSnapshot): Promise<ThreadSnapshot>;
  /** Writes a validated archive's threads in one transaction: all of them or, on any error,
   *  none. Ids already taken in this database are replaced with `newId()`. */
  importArchive(archive: ThreadArchive, newId: () => string): Promise<ImportPlan>;
  close(): void;
}

export function openIdbThreadStore(dbName: string = DEFAULT_DB_NAME): IdbThreadStore {
  let dbPromise: Promise<Db> | null = null;

  /** Opens lazily and reopens after the connection was closed for a newer version elsewhere
   *  (another tab or a new broker upgrading the schema) or by the browser. */
  function db(): Promise<Db> {
    dbPromise ??= openDB<SwitchboardDB>(dbName, DB_VERSION, {
      upgrade(database, oldVersion, newVersion, tx) {
        for (let v = oldVersion; v < (newVersion ?? DB_VERSION); v++) MIGRATIONS[v]!(database, tx);
      },
      blocking() {
        // A newer version wants to upgrade: step aside; the next call reopens (and, being
        // older code, fails loudly with a VersionError rather than corrupting data).
        void dbPromise?.then((d) => d.close());
        dbPromise = null;
      },
      terminated() {
        dbPromise = null;
      },
    });
    const opening = dbPromise;
    opening.catch(() => {
      if (dbPromise === opening) dbPromise = null;
    });
    return opening;
  }

  const byUpdatedDesc = (a: ThreadRecord, b: ThreadRecord) => b.updatedAt - a.updatedAt;
  const byStartedAsc = (a: TurnRecord, b: TurnRecord) => a.startedAt - b.startedAt;

  return {
    async listThreads() {
      const all = await (await db()).getAll('threads');
      return all.sort(byUpdatedDesc);
    },
    async getThread(id) {
      return (await db()).get('threads', id);
    },
    async putThread(thread) {
      await (await db()).put('threads', thread);
    },
    async deleteThread(id) {
      const tx = (await db()).transaction(['threads', 'turns', 'items', 'changeSets'], 'readwrite');
      const turns = tx.objectStore('turns');
      const changeSets = tx.objectStore('changeSets');
      const [turnKeys, changeKeys] = await Promise.all([turns.index('byThread').getAllKeys(id), changeSets.index('byThread').getAllKeys(id)]);
      await Promise.all([
        tx.objectStore('threads').delete(id),
        ...turnKeys.map((key) => turns.delete(key)),
        ...changeKeys.map((key) => changeSets.delete(key)),
        tx.objectStore('items').delete(itemsOf(id)),
        tx.done,
      ]);
    },
    async updateThread(id, change) {
      const tx = (await db()).transaction('threads', 'readwrite');
      const store = tx.objectStore('threads');
      const next = change(await store.get(id));
      await Promise.all([store.put(next), tx.done]);
      return next;
    },
    async putChangeSet(threadId, turnId, set) {
      const tx = (await db()).transaction('changeSets', 'readwrite');
      const store = tx.objectStore('changeSets');
      const last = await store.openKeyCursor(IDBKeyRange.bound([turnId, -Infinity], [turnId, Infinity]), 'prev');
      await Promise.all([store.add({ threadId, turnId, seq: last ? last.key[1] + 1 : 0, set }), tx.done]);
    },
    async listChangeSets(turnId) {
      const records = await (await db()).getAll('changeSets', IDBKeyRange.bound([turnId, -Infinity], [turnId, Infinity]));
      return records.map((r) => r.set);
    },
    async listTurns(threadId) {
      const turns = await (await db()).getAllFromIndex('turns', 'byThread', threadId);
      return turns.sort(byStartedAsc);
    },
    async putTurn(turn) {
      await (await db()).put('turns', turn);
    },
    async listRunningTurns() {
      return (await db()).getAllFromIndex('turns', 'byStatus', 'running');
    },
    async listItems(threadId) {
      // Keys are [threadId, index], so a key range returns the thread's items in index order.
      return (await db()).getAll('items', itemsOf(threadId));
    },
    async appendItems(threadId, turnId, items: Item[]) {
      if (items.length === 0) return;
      const tx = (await db()).transaction('items', 'readwrite');
      await Promise.all([addItems(tx.objectStore('items'), threadId, turnId, items), tx.done]);
    },
    async beginTurn(change, turn, items: Item[]) {
      const tx = (await db()).transaction(['threads', 'turns', 'items'], 'readwrite');
      const threads = tx.objectStore('threads');
      await Promise.all([
        threads.get(turn.threadId).then((current) => threads.put(change(current))),
        tx.objectStore('turns').put(turn),
        addItems(tx.objectStore('items'), turn.threadId, turn.id, items),
        tx.done,
      ]);
    },
    async importArchive(archive, newId) {
      const tx = (await db()).transaction(['threads', 'turns', 'items'], 'readwrite');
      const threads = tx.objectStore('threads');
      const turns = tx.objectStore('turns');
      const items = tx.objectStore('items');
      // Which ids are taken is read inside the same transaction as the writes, so a thread
      // created meanwhile by another tab cannot be overwritten.
      const [threadKeys, turnKeys] = await Promise.all([threads.getAllKeys(), turns.getAllKeys()]);
      const takenThreads = new Set(threadKeys);
      const takenTurns = new Set(turnKeys);
      const plan = planImport(archive, { threadIdTaken: (id) => takenThreads.has(id), turnIdTaken: (id) => takenTurns.has(id), newId });
      const writes: Promise<unknown>[] = [];
      for (const t of plan.threads) {
        // `add`, not `put`: if an id were taken after all, the transaction fails as a whole.
        writes.push(threads.add(t.thread));
        for (const turn of t.turns) writes.push(turns.add(turn));
        // A new thread's items start at index 0 (a deleted thread left no items behind).
        for (const record of t.items) writes.push(items.add(record));
      }
      await Promise.all([...writes, tx.done]);
      return plan;
    },
    async readThread(id, known) {
      const tx = (await db()).transaction(['threads', 'turns', 'items'], 'readonly');
      const itemStore = tx.objectStore('items');
      // Re-reading every item after every turn made a turn's cost in the tab grow with the
      // thread (deserialising the whole history each time); the items a tab holds never change.
      const last = known?.items.at(-1);
      const readItems = async (): Promise<ItemRecord[]> => {
        if (!known || !last) return itemStore.getAll(itemsOf(id));
        const fresh = await itemStore.getAll(IDBKeyRange.bound([id, last.index], [id, Infinity]));
        // The same turn's item at the same index, with the same content: the thread it was read from.
        const first = fresh[0];
        const same = first !== undefined && first.turnId === last.turnId && first.index === last.index && JSON.stringify(first.item) === JSON.stringify(last.item);
        return same ? [...known.items, ...fresh.slice(1)] : itemStore.getAll(itemsOf(id));
      };
      const [thread, turns, items] = await Promise.all([
        tx.objectStore('threads').get(id),
        tx.objectStore('turns').index('byThread').getAll(id),
        readItems(),
        tx.done,
      ]);
      return { thread, turns: turns.sort(byStartedAsc), items };
    },
    async getSettings() {
      return sanitizeSettings(await (await db()).get('settings', SETTINGS_KEY));
    },
    async putSettings(settings) {
      // Read and write in one transaction, so two tabs saving different keys both keep theirs.
      const tx = (await db()).transaction('settings', 'readwrite');
      const store = tx.objectStore('settings');
      const merged = { ...sanitizeSettings(await store.get(SETTINGS_KEY)), ...sanitizeSettings(settings) };
      await Promise.all([store.put(merged, SETTINGS_KEY), tx.done]);
    },
    async listWorkspaces() {
      return sortWorkspaces(await (await db()).getAll('workspaces'));
    },
    async getWorkspace(id) {
      const record = await (await db()).get('workspaces', id);
      return record ?? (id === DEFAULT_WORKSPACE_ID ? defaultWorkspaceRecord() : undefined);
    },
    async putWorkspace(record) {
      await (await db()).put('workspaces', record);
    },
    async deleteWorkspace(id) {
      refuseDeletingDefault(id);
      // One transaction: a thread is never left bound to a workspace that is gone.
      const tx = (await db()).transaction(['workspaces', 'threads'], 'readwrite');
      const threads = tx.objectStore('threads');
      const unboundThreads: string[] = [];
      const writes: Promise<unknown>[] = [tx.objectStore('workspaces').delete(id)];
      for (const t of await threads.getAll()) {
        if (t.workspaceId !== id) continue;
        const { workspaceId: _dropped, ...rest } = t;
        writes.push(threads.put(rest));
        unboundThreads.push(t.id);
      }
      await Promise.all([...writes, tx.done]);
      return { unboundThreads };
    },
    close() {
      void dbPromise?.then((d) => d.close());
      dbPromise = null;
    },
  };
}

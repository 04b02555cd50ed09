import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { createMemoryThreadStore, type ThreadRecord, type ThreadStore, type TurnRecord } from '../core/threadStore.ts';
import { userMessage, type Item } from '../core/wire.ts';
import { createMemorySettingsStore, SETTINGS_LIMITS, type SettingsStore } from '../core/settings.ts';
import { DB_VERSION, openIdbThreadStore, SETTINGS_KEY } from './idbThreadStore.ts';
import type { ThreadArchive } from './threadArchive.ts';

let dbCounter = 0;
const freshDbName = () => `switchboard-test-${++dbCounter}-${Math.random().toString(36).slice(2)}`;

const thread = (id: string, updatedAt: number, title = `T ${id}`): ThreadRecord => ({ id, title, createdAt: 1, updatedAt });
const turn = (id: string, threadId: string, startedAt: number, extra: Partial<TurnRecord> = {}): TurnRecord => ({
  id,
  threadId,
  tabId: 'tab',
  userText: `text of ${id}`,
  status: 'running',
  startedAt,
  ...extra,
});
const say = (text: string): Item => ({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] });

// The same contract runs against the in-memory reference store and the IndexedDB one, so the
// two cannot drift apart.
const implementations: [string, () => ThreadStore][] = [
  ['memory', () => createMemoryThreadStore()],
  ['idb', () => openIdbThreadStore(freshDbName())],
];

describe.each(implementations)('ThreadStore contract (%s)', (_name, create) => {
  it('lists threads newest-updated first, gets and overwrites them', async () => {
    const store = create();
    await store.putThread(thread('a', 10));
    await store.putThread(thread('b', 30));
    await store.putThread(thread('c', 20));
    expect((await store.listThreads()).map((t) => t.id)).toEqual(['b', 'c', 'a']);
    expect(await store.getThread('c')).toEqual(thread('c', 20));
    expect(await store.getThread('missing')).toBeUndefined();
    await store.putThread(thread('a', 40, 'Renamed'));
    expect(await store.listThreads()).toHaveLength(3);
    expect((await store.listThreads())[0]).toEqual(thread('a', 40, 'Renamed'));
  });

  it('begins a turn in one call: the thread’s record from its current one, the turn, its first items after the last ones', async () => {
    const store = create();
    await store.putThread({ ...thread('th', 1, 'Kept'), approvalPolicy: 'auto' });
    await store.appendItems('th', 't0', [say('earlier')]);
    const seen: (ThreadRecord | undefined)[] = [];
    await store.beginTurn(
      (current) => {
        seen.push(current);
        return { ...current!, updatedAt: 50 };
      },
      turn('t1', 'th', 50),
      [userMessage('hello')],
    );
    expect(seen).toEqual([{ ...thread('th', 1, 'Kept'), approvalPolicy: 'auto' }]);
    expect(await store.getThread('th')).toEqual({ ...thread('th', 1, 'Kept'), approvalPolicy: 'auto', updatedAt: 50 });
    expect(await store.listTurns('th')).toEqual([turn('t1', 'th', 50)]);
    expect((await store.listItems('th')).map((r) => [r.turnId, r.index, r.item])).toEqual([
      ['t0', 0, say('earlier')],
      ['t1', 1, userMessage('hello')],
    ]);
    await store.beginTurn((current) => current ?? thread('new', 60), turn('t2', 'new', 60), []); // no record yet, no items
    expect(await store.getThread('new')).toEqual(thread('new', 60));
    expect(await store.listItems('new')).toEqual([]);
  });

  it('returns copies: mutating a result does not change the store', async () => {
    const store = create();
    await store.putThread(thread('a', 1));
    const got = (await store.getThread('a'))!;
    got.title = 'mutated';
    expect((await store.getThread('a'))!.title).toBe('T a');
  });

  it('lists a thread’s turns oldest-started first and updates a turn in place', async () => {
    const store = create();
    await store.putTurn(turn('t2', 'th', 20));
    await store.putTurn(turn('t1', 'th', 10));
    await store.putTurn(turn('x', 'other', 5));
    expect((await store.listTurns('th')).map((t) => t.id)).toEqual(['t1', 't2']);
    await store.putTurn(turn('t1', 'th', 10, { status: 'failed', error: 'boom', endedAt: 15 }));
    const turns = await store.listTurns('th');
    expect(turns).toHaveLength(2);
    expect(turns[0]).toMatchObject({ id: 't1', status: 'failed', error: 'boom', endedAt: 15 });
    expect(await store.listTurns('nothing')).toEqual([]);
  });

  it('lists running turns across threads, and stops listing one once it ended', async () => {
    const store = create();
    await store.putTurn(turn('r1', 'a', 1));
    await store.putTurn(turn('r2', 'b', 2, { progress: { items: [say('so far')], streaming: [{ itemId: 'm', text: 'ha' }], savedAt: 3 } }));
    await store.putTurn(turn('done', 'a', 3, { status: 'completed' }));
    expect((await store.listRunningTurns()).map((t) => t.id).sort()).toEqual(['r1', 'r2']);
    expect((await store.listRunningTurns()).find((t) => t.id === 'r2')!.progress!.streaming).toEqual([{ itemId: 'm', text: 'ha' }]);
    await store.putTurn(turn('r1', 'a', 1, { status: 'interrupted' }));
    expect((await store.listRunningTurns()).map((t) => t.id)).toEqual(['r2']);
  });

  it('appends items with consecutive indexes per thread, across calls', async () => {
    const store = create();
    await store.appendItems('th', 't1', [userMessage('hi'), say('hello')]);
    await store.appendItems('other', 'o1', [say('elsewhere')]);
    await store.appendItems('th', 't2', [userMessage('again')]);
    await store.appendItems('th', 't2', []);
    const items = await store.listItems('th');
    expect(items.map((r) => [r.index, r.turnId, r.threadId])).toEqual([
      [0, 't1', 'th'],
      [1, 't1', 'th'],
      [2, 't2', 'th'],
    ]);
    expect(items[1]!.item).toEqual(say('hello'));
    expect(await store.listItems('other')).toEqual([{ threadId: 'other', turnId: 'o1', index: 0, item: say('elsewhere') }]);
  });

  it('keeps concurrent appends to one thread gap-free and duplicate-free', async () => {
    const store = create();
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.appendItems('th', `t${i}`, [say(`a${i}`), say(`b${i}`)])));
    const items = await store.listItems('th');
    expect(items.map((r) => r.index)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // Each call's items stay adjacent.
    for (let i = 0; i < 20; i += 2) expect(items[i]!.turnId).toBe(items[i + 1]!.turnId);
  });

  it('orders items numerically (index 10 after index 9)', async () => {
    const store = create();
    await store.appendItems('th', 't', Array.from({ length: 12 }, (_, i) => say(String(i))));
    expect((await store.listItems('th')).map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('deleteThread removes the thread with its turns and items only', async () => {
    const store = create();
    await store.putThread(thread('a', 1));
    await store.putThread(thread('b', 2));
    await store.putTurn(turn('ta', 'a', 1));
    await store.putTurn(turn('tb', 'b', 1));
    await store.appendItems('a', 'ta', [say('x')]);
    await store.appendItems('b', 'tb', [say('y')]);
    await store.deleteThread('a');
    expect((await store.listThreads()).map((t) => t.id)).toEqual(['b']);
    expect(await store.listTurns('a')).toEqual([]);
    expect(await store.listItems('a')).toEqual([]);
    expect(await store.listTurns('b')).toHaveLength(1);
    expect(await store.listItems('b')).toHaveLength(1);
    // After a delete the thread's indexes start again at 0.
    await store.appendItems('a', 'ta2', [say('z')]);
    expect((await store.listItems('a'))[0]!.index).toBe(0);
  });

  it('updateThread reads and writes in one step, so concurrent updates of different fields both stay', async () => {
    const store = create();
    await store.putThread(thread('a', 1));
    await Promise.all([
      store.updateThread('a', (t) => ({ ...t!, title: 'renamed' })),
      store.updateThread('a', (t) => ({ ...t!, approvalPolicy: 'auto' })),
      store.updateThread('a', (t) => ({ ...t!, workspaceId: 'w1' })),
    ]);
    expect(await store.getThread('a')).toEqual({ ...thread('a', 1), title: 'renamed', approvalPolicy: 'auto', workspaceId: 'w1' });
    expect(await store.updateThread('new', (t) => t ?? thread('new', 5))).toEqual(thread('new', 5));
  });

  it('keeps change sets per turn, in order, and deletes them with their thread', async () => {
    const store = create();
    const set = (callId: string) => ({ callId, tool: 'apply_patch', workspaceId: 'w', changes: [{ path: `${callId}.txt`, kind: 'add' as const, before: null, after: 'x', diff: '+x' }] });
    await store.putThread(thread('a', 1));
    await store.putChangeSet('a', 't1', set('c1'));
    await store.putChangeSet('a', 't1', set('c2'));
    await store.putChangeSet('a', 't2', set('c3'));
    await store.putChangeSet('b', 't9', set('c9'));
    expect((await store.listChangeSets('t1')).map((s) => s.callId)).toEqual(['c1', 'c2']);
    expect((await store.listChangeSets('t2'))[0]).toEqual(set('c3'));
    await store.deleteThread('a');
    expect(await store.listChangeSets('t1')).toEqual([]);
    expect(await store.listChangeSets('t9')).toHaveLength(1);
  });
});

describe('openIdbThreadStore', () => {
  it('creates the current schema: stores, key paths and indexes', async () => {
    const name = freshDbName();
    const store = openIdbThreadStore(name);
    await store.listThreads();
    store.close();
    const db = await openDB(name);
    expect(db.version).toBe(DB_VERSION);
    expect(DB_VERSION).toBe(5);
    expect([...db.objectStoreNames].sort()).toEqual(['changeSets', 'items', 'settings', 'threads', 'turns', 'workspaces']);
    const tx = db.transaction(['threads', 'turns', 'items']);
    expect(tx.objectStore('threads').keyPath).toBe('id');
    expect(tx.objectStore('turns').keyPath).toBe('id');
    expect(tx.objectStore('turns').index('byThread').keyPath).toBe('threadId');
    expect(tx.objectStore('turns').index('byStatus').keyPath).toBe('status');
    expect(tx.objectStore('items').keyPath).toEqual(['threadId', 'index']);
    expect(tx.objectStore('items').index('byThread').keyPath).toBe('threadId');
    expect(db.transaction('settings').objectStore('settings').keyPath).toBeNull();
    expect(db.transaction('workspaces').objectStore('workspaces').keyPath).toBe('id');
    const changeSets = db.transaction('changeSets').objectStore('changeSets');
    expect(changeSets.keyPath).toEqual(['turnId', 'seq']);
    expect(changeSets.index('byThread').keyPath).toBe('threadId');
    db.close();
  });

  it('shares data between two connections (tab and broker) to the same database', async () => {
    const name = freshDbName();
    const tab = openIdbThreadStore(name);
    const broker = openIdbThreadStore(name);
    await tab.putThread(thread('th', 1));
    await broker.putTurn(turn('t1', 'th', 1));
    await broker.appendItems('th', 't1', [userMessage('q'), say('a')]);
    const snapshot = await tab.readThread('th');
    expect(snapshot.thread).toEqual(thread('th', 1));
    expect(snapshot.turns.map((t) => t.id)).toEqual(['t1']);
    expect(snapshot.items.map((r) => r.index)).toEqual([0, 1]);
    expect(await tab.readThread('missing')).toEqual({ thread: undefined, turns: [], items: [] });
    tab.close();
    broker.close();
  });

  /** A thread 'th' with one turn of two items, and what a tab read of it. */
  async function oneTurnRead() {
    const store = openIdbThreadStore(freshDbName());
    await store.putThread(thread('th', 1));
    await store.putTurn(turn('t1', 'th', 1));
    await store.appendItems('th', 't1', [userMessage('q1'), say('a1')]);
    return { store, before: await store.readThread('th') };
  }

  it('given what a tab read before, reads only the items after it and keeps those it had', async () => {
    const { store, before } = await oneTurnRead();
    await store.putTurn(turn('t1', 'th', 1, { status: 'completed' }));
    await store.putTurn(turn('t2', 'th', 2));
    await store.appendItems('th', 't2', [userMessage('q2'), say('a2')]);

    const after = await store.readThread('th', before);
    expect(after).toEqual(await store.readThread('th'));
    // The items it had are the same objects: they were not read (nor deserialised) again.
    expect(after.items[0]).toBe(before.items[0]);
    expect(after.items[1]).toBe(before.items[1]);
    expect(after.items.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    // Turns change in place (a status here): always read again.
    expect(after.turns.map((t) => t.status)).toEqual(['completed', 'running']);
    expect(await store.readThread('th', after)).toEqual(after);
    store.close();
  });

  it('reads every item again when the last one a tab had is gone or another, even at its index in its turn', async () => {
    const { store, before } = await oneTurnRead();

    await store.deleteThread('th');
    expect((await store.readThread('th', before)).items).toEqual([]);

    // The id taken again (an import may reuse a deleted thread's id): other items at the same indices.
    await store.putThread(thread('th', 2));
    await store.putTurn(turn('t9', 'th', 2));
    await store.appendItems('th', 't9', [userMessage('other'), say('other answer'), say('more')]);
    const again = await store.readThread('th', before);
    expect(again.items.map((r) => [r.turnId, r.index])).toEqual([['t9', 0], ['t9', 1], ['t9', 2]]);
    expect(again.items[0]!.item).toEqual(userMessage('other'));

    // Even the same turn id at the same index (an archive of the thread, edited, imported again).
    await store.deleteThread('th');
    await store.putThread(thread('th', 3));
    await store.putTurn(turn('t1', 'th', 1));
    await store.appendItems('th', 't1', [userMessage('q1 edited'), say('a1 edited')]);
    const edited = await store.readThread('th', before);
    expect(edited.items.map((r) => r.item)).toEqual([userMessage('q1 edited'), say('a1 edited')]);
    store.close();
  });

  it('steps aside for a newer schema version and reopens lazily', async () => {
    const name = freshDbName();
    const store = openIdbThreadStore(name);
    await store.putThread(thread('a', 1));
    // A newer deployment upgrades the database; the old connection must not block it.
    const newer = await openDB(name, DB_VERSION + 1, {
      upgrade(db) {
        db.createObjectStore('future');
      },
    });
    expect(newer.version).toBe(DB_VERSION + 1);
    newer.close();
    // Old code now fails loudly instead of writing into a schema it does not know.
    await expect(store.listThreads()).rejects.toThrow();
  });

  it('migrates a version-1 database to the current one, keeping its data', async () => {
    const name = freshDbName();
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore('threads', { keyPath: 'id' });
        const turns = db.createObjectStore('turns', { keyPath: 'id' });
        turns.createIndex('byThread', 'threadId');
        const items = db.createObjectStore('items', { keyPath: ['threadId', 'index'] });
        items.createIndex('byThread', 'threadId');
      },
    });
    await v1.put('threads', thread('old', 1));
    await v1.put('turns', turn('orphan', 'old', 1));
    await v1.put('items', { threadId: 'old', turnId: 'orphan', index: 0, item: say('kept') });
    v1.close();
    const store = openIdbThreadStore(name);
    expect((await store.listRunningTurns()).map((t) => t.id)).toEqual(['orphan']);
    expect((await store.readThread('old')).items.map((r) => r.item)).toEqual([say('kept')]);
    store.close();
  });
});

/** A version-2 database as the previous release left it. */
async function createV2(name: string) {
  return openDB(name, 2, {
    upgrade(db) {
      db.createObjectStore('threads', { keyPath: 'id' });
      const turns = db.createObjectStore('turns', { keyPath: 'id' });
      turns.createIndex('byThread', 'threadId');
      turns.createIndex('byStatus', 'status');
      const items = db.createObjectStore('items', { keyPath: ['threadId', 'index'] });
      items.createIndex('byThread', 'threadId');
    },
  });
}

describe('migration 2 → 3 (settings)', () => {
  it('upgrades a version-2 database with threads to version 3, keeping its data', async () => {
    const name = freshDbName();
    const v2 = await createV2(name);
    await v2.put('threads', thread('old', 1));
    await v2.put('turns', turn('t-old', 'old', 1, { status: 'completed' }));
    await v2.put('turns', turn('still-running', 'old', 2));
    await v2.put('items', { threadId: 'old', turnId: 't-old', index: 0, item: say('kept') });
    v2.close();
    const store = openIdbThreadStore(name);
    expect(await store.getSettings()).toEqual({});
    expect(await store.listThreads()).toEqual([thread('old', 1)]);
    expect((await store.listRunningTurns()).map((t) => t.id)).toEqual(['still-running']);
    const snapshot = await store.readThread('old');
    expect(snapshot.turns.map((t) => t.id)).toEqual(['t-old', 'still-running']);
    expect(snapshot.items.map((r) => r.item)).toEqual([say('kept')]);
    await store.putSettings({ maxSockets: 2 });
    expect(await store.getSettings()).toEqual({ maxSockets: 2 });
    store.close();
    const db = await openDB(name);
    // The later migrations ran too (3 → 4: workspaces, see idbWorkspaceRegistry.test.ts; 4 → 5: change sets).
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(['changeSets', 'items', 'settings', 'threads', 'turns', 'workspaces']);
    db.close();
  });
});

// The same settings contract against the in-memory reference store and the IndexedDB one.
const settingsImplementations: [string, () => SettingsStore][] = [
  ['memory', () => createMemorySettingsStore()],
  ['idb', () => openIdbThreadStore(freshDbName())],
];

describe.each(settingsImplementations)('SettingsStore contract (%s)', (_name, create) => {
  it('starts empty, then merges what is saved key by key', async () => {
    const store = create();
    expect(await store.getSettings()).toEqual({});
    await store.putSettings({ maxSockets: 3 });
    await store.putSettings({ socketIdleMs: 120_000 });
    expect(await store.getSettings()).toEqual({ maxSockets: 3, socketIdleMs: 120_000 });
    await store.putSettings({ maxSockets: 1 });
    expect(await store.getSettings()).toEqual({ maxSockets: 1, socketIdleMs: 120_000 });
  });

  it('drops invalid values on write, keeping the value saved before', async () => {
    const store = create();
    await store.putSettings({ maxSockets: 4, socketIdleMs: 60_000 });
    await store.putSettings({ maxSockets: SETTINGS_LIMITS.maxSockets.max + 1, socketIdleMs: 1.5 });
    await store.putSettings({ maxSockets: 0 });
    await store.putSettings({ bogus: 1 } as never);
    expect(await store.getSettings()).toEqual({ maxSockets: 4, socketIdleMs: 60_000 });
  });

  it('returns copies: mutating a result does not change the store', async () => {
    const store = create();
    await store.putSettings({ maxSockets: 2 });
    const got = await store.getSettings();
    got.maxSockets = 9;
    expect(await store.getSettings()).toEqual({ maxSockets: 2 });
  });
});

describe('idb settings record', () => {
  it('sanitizes garbage in the saved record away on read and on the next write', async () => {
    const name = freshDbName();
    const store = openIdbThreadStore(name);
    await store.listThreads(); // creates the schema
    const raw = await openDB(name);
    await raw.put('settings', { maxSockets: '4', socketIdleMs: 30_000, extra: { deep: true } }, SETTINGS_KEY);
    expect(await store.getSettings()).toEqual({ socketIdleMs: 30_000 });
    await raw.put('settings', 'not an object', SETTINGS_KEY);
    expect(await store.getSettings()).toEqual({});
    await raw.put('settings', { maxSockets: 99, socketIdleMs: -5, extra: 1 }, SETTINGS_KEY);
    expect(await store.getSettings()).toEqual({});
    // A write rewrites the record with known, valid keys only.
    await raw.put('settings', { maxSockets: 2.5, socketIdleMs: 45_000, extra: 'junk' }, SETTINGS_KEY);
    await store.putSettings({ maxSockets: 5 });
    expect(await raw.get('settings', SETTINGS_KEY)).toEqual({ maxSockets: 5, socketIdleMs: 45_000 });
    raw.close();
    store.close();
  });

  it('is shared between two connections (a tab saves, the broker reads)', async () => {
    const name = freshDbName();
    const tab = openIdbThreadStore(name);
    const broker = openIdbThreadStore(name);
    expect(await broker.getSettings()).toEqual({});
    await tab.putSettings({ maxSockets: 1 });
    expect(await broker.getSettings()).toEqual({ maxSockets: 1 });
    tab.close();
    broker.close();
  });

  it('keeps both keys when two connections save different keys at once', async () => {
    const name = freshDbName();
    const a = openIdbThreadStore(name);
    const b = openIdbThreadStore(name);
    await Promise.all([a.putSettings({ maxSockets: 2 }), b.putSettings({ socketIdleMs: 20_000 })]);
    expect(await a.getSettings()).toEqual({ maxSockets: 2, socketIdleMs: 20_000 });
    a.close();
    b.close();
  });
});

describe('importArchive', () => {
  const archiveOf = (threads: { id: string; turnId: string }[]): ThreadArchive => ({
    format: 'switchboard.threads',
    version: 1,
    exportedAt: '2025-01-01T00:00:00.000Z',
    threads: threads.map(({ id, turnId }) => ({
      id,
      title: `Imported ${id}`,
      createdAt: 1,
      updatedAt: 2,
      turns: [{ id: turnId, userText: 'q', status: 'completed', startedAt: 1, endedAt: 2, items: [userMessage('q'), say('a')] }],
    })),
  });

  it('writes threads, turns and items; ids already taken get new ones', async () => {
    const store = openIdbThreadStore(freshDbName());
    await store.putThread(thread('taken', 5));
    await store.putTurn(turn('taken-turn', 'taken', 1));
    let n = 0;
    const plan = await store.importArchive(archiveOf([{ id: 'free', turnId: 't1' }, { id: 'taken', turnId: 'taken-turn' }]), () => `fresh-${++n}`);
    expect(plan.renamed).toEqual([['taken', 'fresh-1']]);
    const free = await store.readThread('free');
    expect(free.thread?.title).toBe('Imported free');
    expect(free.turns.map((t) => [t.id, t.tabId])).toEqual([['t1', 'import']]);
    expect(free.items.map((r) => [r.index, r.turnId])).toEqual([
      [0, 't1'],
      [1, 't1'],
    ]);
    const copy = await store.readThread('fresh-1');
    expect(copy.turns.map((t) => t.id)).toEqual(['fresh-2']);
    // The thread that was there is untouched.
    expect((await store.readThread('taken')).turns.map((t) => t.id)).toEqual(['taken-turn']);
    store.close();
  });

  it('writes nothing when any write fails', async () => {
    const store = openIdbThreadStore(freshDbName());
    // newId hands out an id that is taken: the add fails, and the whole import with it.
    await store.putThread(thread('clash', 1));
    await store.putThread(thread('first', 1));
    await expect(store.importArchive(archiveOf([{ id: 'new-a', turnId: 'x1' }, { id: 'first', turnId: 'x2' }]), () => 'clash')).rejects.toThrow();
    expect((await store.listThreads()).map((t) => t.id).sort()).toEqual(['clash', 'first']);
    expect(await store.listTurns('new-a')).toEqual([]);
    expect(await store.listItems('new-a')).toEqual([]);
    store.close();
  });
});

import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { createMemoryThreadStore, type ThreadRecord, type ThreadStore, type TurnRecord } from '../core/threadStore.ts';
import { userMessage, type Item } from '../core/wire.ts';
import { DB_VERSION, openIdbThreadStore } from './idbThreadStore.ts';

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
});

describe('openIdbThreadStore', () => {
  it('creates the version-1 schema: stores, key paths and indexes', async () => {
    const name = freshDbName();
    const store = openIdbThreadStore(name);
    await store.listThreads();
    store.close();
    const db = await openDB(name);
    expect(db.version).toBe(DB_VERSION);
    expect(DB_VERSION).toBe(1);
    expect([...db.objectStoreNames].sort()).toEqual(['items', 'threads', 'turns']);
    const tx = db.transaction(['threads', 'turns', 'items']);
    expect(tx.objectStore('threads').keyPath).toBe('id');
    expect(tx.objectStore('turns').keyPath).toBe('id');
    expect(tx.objectStore('turns').index('byThread').keyPath).toBe('threadId');
    expect(tx.objectStore('items').keyPath).toEqual(['threadId', 'index']);
    expect(tx.objectStore('items').index('byThread').keyPath).toBe('threadId');
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
});

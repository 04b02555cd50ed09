import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { createMemoryThreadStore, type ThreadRecord, type ThreadStore } from '../core/threadStore.ts';
import {
  cleanWorkspaceName,
  createMemoryWorkspaceRegistry,
  DEFAULT_WORKSPACE_ID,
  defaultWorkspaceRecord,
  MAX_WORKSPACE_NAME_LENGTH,
  threadWorkspaceId,
  type WorkspaceRecord,
  type WorkspaceRegistry,
} from '../core/workspaceRegistry.ts';
import { DB_VERSION, openIdbThreadStore, SETTINGS_KEY } from './idbThreadStore.ts';

let dbCounter = 0;
const freshDbName = () => `switchboard-ws-test-${++dbCounter}-${Math.random().toString(36).slice(2)}`;

const thread = (id: string, workspaceId?: string): ThreadRecord => ({ id, title: `T ${id}`, createdAt: 1, updatedAt: 1, ...(workspaceId !== undefined && { workspaceId }) });
const opfs = (id: string, createdAt: number, name = `W ${id}`): WorkspaceRecord => ({ id, name, kind: 'opfs', createdAt });

// The same contract against the in-memory reference registry and the IndexedDB one.
const implementations: [string, () => { registry: WorkspaceRegistry; threads: ThreadStore }][] = [
  [
    'memory',
    () => {
      const threads = createMemoryThreadStore();
      return { registry: createMemoryWorkspaceRegistry(threads), threads };
    },
  ],
  [
    'idb',
    () => {
      const store = openIdbThreadStore(freshDbName());
      return { registry: store, threads: store };
    },
  ],
];

describe.each(implementations)('WorkspaceRegistry contract (%s)', (_name, create) => {
  it('always has the default workspace, even with nothing stored', async () => {
    const { registry } = create();
    expect(await registry.listWorkspaces()).toEqual([defaultWorkspaceRecord()]);
    expect(await registry.getWorkspace(DEFAULT_WORKSPACE_ID)).toEqual(defaultWorkspaceRecord());
    expect(await registry.getWorkspace('missing')).toBeUndefined();
  });

  it('lists the default first, then oldest first; puts, renames and gets', async () => {
    const { registry } = create();
    await registry.putWorkspace(opfs('b', 20));
    await registry.putWorkspace(opfs('a', 10));
    await registry.putWorkspace({ id: 'local-1', name: 'my-project', kind: 'local', createdAt: 30 });
    expect((await registry.listWorkspaces()).map((w) => w.id)).toEqual([DEFAULT_WORKSPACE_ID, 'a', 'b', 'local-1']);
    await registry.putWorkspace({ ...(await registry.getWorkspace('b'))!, name: 'Renamed' });
    expect(await registry.getWorkspace('b')).toEqual(opfs('b', 20, 'Renamed'));
    expect(await registry.listWorkspaces()).toHaveLength(4);
  });

  it('keeps a renamed default workspace first and does not list it twice', async () => {
    const { registry } = create();
    await registry.putWorkspace(opfs('early', -5));
    await registry.putWorkspace({ ...defaultWorkspaceRecord(), name: 'Scratch' });
    expect((await registry.listWorkspaces()).map((w) => `${w.id}:${w.name}`)).toEqual(['default:Scratch', 'early:W early']);
  });

  it('refuses to delete the default workspace', async () => {
    const { registry } = create();
    // A stored (renamed) default: were the delete to go through, its name would be gone.
    await registry.putWorkspace({ ...defaultWorkspaceRecord(), name: 'Scratch' });
    await expect(registry.deleteWorkspace(DEFAULT_WORKSPACE_ID)).rejects.toThrow('cannot be deleted');
    expect(await registry.getWorkspace(DEFAULT_WORKSPACE_ID)).toMatchObject({ name: 'Scratch' });
  });

  it('deletes a workspace and unbinds exactly the threads that used it', async () => {
    const { registry, threads } = create();
    await registry.putWorkspace(opfs('gone', 1));
    await registry.putWorkspace(opfs('kept', 2));
    await threads.putThread(thread('t1', 'gone'));
    await threads.putThread(thread('t2', 'kept'));
    await threads.putThread(thread('t3'));
    await threads.putThread(thread('t4', 'gone'));
    const { unboundThreads } = await registry.deleteWorkspace('gone');
    expect(unboundThreads.sort()).toEqual(['t1', 't4']);
    expect(await registry.getWorkspace('gone')).toBeUndefined();
    expect((await registry.listWorkspaces()).map((w) => w.id)).toEqual([DEFAULT_WORKSPACE_ID, 'kept']);
    // Unbound threads have no workspaceId at all: they use the default.
    expect(await threads.getThread('t1')).toEqual(thread('t1'));
    expect(threadWorkspaceId(await threads.getThread('t1'))).toBe(DEFAULT_WORKSPACE_ID);
    expect((await threads.getThread('t2'))!.workspaceId).toBe('kept');
    expect(await threads.getThread('t3')).toEqual(thread('t3'));
    // Deleting again (another tab was first) is harmless.
    expect(await registry.deleteWorkspace('gone')).toEqual({ unboundThreads: [] });
  });
});

describe('cleanWorkspaceName', () => {
  it('trims and collapses spaces, refuses empty and overlong names', () => {
    expect(cleanWorkspaceName('  my   project \n')).toBe('my project');
    expect(() => cleanWorkspaceName('   ')).toThrow('needs a name');
    expect(cleanWorkspaceName('x'.repeat(MAX_WORKSPACE_NAME_LENGTH))).toHaveLength(MAX_WORKSPACE_NAME_LENGTH);
    expect(() => cleanWorkspaceName('x'.repeat(MAX_WORKSPACE_NAME_LENGTH + 1))).toThrow(`at most ${MAX_WORKSPACE_NAME_LENGTH}`);
  });
});

/** A version-3 database as the previous release left it (threads, turns, items, settings). */
async function createV3(name: string) {
  return openDB(name, 3, {
    upgrade(db) {
      db.createObjectStore('threads', { keyPath: 'id' });
      const turns = db.createObjectStore('turns', { keyPath: 'id' });
      turns.createIndex('byThread', 'threadId');
      turns.createIndex('byStatus', 'status');
      const items = db.createObjectStore('items', { keyPath: ['threadId', 'index'] });
      items.createIndex('byThread', 'threadId');
      db.createObjectStore('settings');
    },
  });
}

describe('migration 3 → 4 (workspaces)', () => {
  it('adds the workspaces store and keeps threads, turns, items and settings', async () => {
    const name = freshDbName();
    const v3 = await createV3(name);
    await v3.put('threads', thread('old'));
    await v3.put('threads', { ...thread('bound'), workspaceId: 'w1' });
    await v3.put('turns', { id: 't', threadId: 'old', tabId: 'tab', userText: 'q', status: 'completed', startedAt: 1 });
    await v3.put('items', { threadId: 'old', turnId: 't', index: 0, item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'q' }] } });
    await v3.put('settings', { maxSockets: 3 }, SETTINGS_KEY);
    v3.close();

    const store = openIdbThreadStore(name);
    expect((await store.listThreads()).map((t) => t.id).sort()).toEqual(['bound', 'old']);
    expect((await store.readThread('old')).items).toHaveLength(1);
    expect(await store.getSettings()).toEqual({ maxSockets: 3 });
    expect(await store.listWorkspaces()).toEqual([defaultWorkspaceRecord()]);
    await store.putWorkspace(opfs('w1', 5));
    expect((await store.listWorkspaces()).map((w) => w.id)).toEqual([DEFAULT_WORKSPACE_ID, 'w1']);
    store.close();

    const db = await openDB(name);
    expect(db.version).toBe(DB_VERSION);
    expect(DB_VERSION).toBeGreaterThanOrEqual(4);
    expect(db.transaction('workspaces').objectStore('workspaces').keyPath).toBe('id');
    db.close();
  });
});

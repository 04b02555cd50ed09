import { describe, expect, it } from 'vitest';
import { createMemoryThreadStore } from './threadStore.ts';
import { createMemoryWorkspace, type Workspace } from './workspace.ts';
import { createMemoryWorkspaceRegistry, DEFAULT_WORKSPACE_ID, type WorkspaceRecord } from './workspaceRegistry.ts';
import { createWorkspaceResolver, guardAccess, lostAccessMessage, type AccessState } from './workspaceResolver.ts';

function setup() {
  const threads = createMemoryThreadStore();
  const registry = createMemoryWorkspaceRegistry(threads);
  const reads = { threads: 0, workspaces: 0 };
  const opened: string[] = [];
  const resolver = createWorkspaceResolver({
    getThread: (id) => {
      reads.threads++;
      return threads.getThread(id);
    },
    getWorkspace: (id) => {
      reads.workspaces++;
      return registry.getWorkspace(id);
    },
    openOpfs: async (id) => {
      opened.push(`opfs:${id}`);
      return createMemoryWorkspace(id, { [`${id}.txt`]: id });
    },
    openLocal: async (record) => {
      opened.push(`local:${record.id}`);
      return createMemoryWorkspace(record.id, {});
    },
  });
  return { threads, registry, reads, opened, resolver };
}

const thread = (id: string, workspaceId?: string) => ({ id, title: id, createdAt: 1, updatedAt: 1, ...(workspaceId !== undefined && { workspaceId }) });
const record = (id: string, kind: WorkspaceRecord['kind'] = 'opfs'): WorkspaceRecord => ({ id, name: `name of ${id}`, kind, createdAt: 1 });

describe('createWorkspaceResolver', () => {
  it('gives a thread without a workspace the default one, without reading the registry', async () => {
    const { threads, resolver, reads, opened } = setup();
    await threads.putThread(thread('t'));
    expect((await resolver.workspaceFor('t')).id).toBe(DEFAULT_WORKSPACE_ID);
    expect(reads).toEqual({ threads: 1, workspaces: 0 });
    expect(opened).toEqual(['opfs:default']);
  });

  it('opens the thread’s OPFS or local workspace by its record', async () => {
    const { threads, registry, resolver, opened } = setup();
    await registry.putWorkspace(record('w'));
    await registry.putWorkspace(record('disk', 'local'));
    await threads.putThread(thread('a', 'w'));
    await threads.putThread(thread('b', 'disk'));
    expect((await resolver.workspaceFor('a')).id).toBe('w');
    expect((await resolver.workspaceFor('b')).id).toBe('disk');
    expect(opened).toEqual(['opfs:w', 'local:disk']);
  });

  it('falls back to the default when the thread’s workspace is gone (or the thread is unknown)', async () => {
    const { threads, resolver } = setup();
    await threads.putThread(thread('t', 'deleted'));
    expect((await resolver.workspaceFor('t')).id).toBe(DEFAULT_WORKSPACE_ID);
    expect((await resolver.workspaceFor('nobody')).id).toBe(DEFAULT_WORKSPACE_ID);
  });

  it('caches per thread: later tool calls read no storage and open nothing', async () => {
    const { threads, registry, resolver, reads, opened } = setup();
    await registry.putWorkspace(record('w'));
    await threads.putThread(thread('t', 'w'));
    const first = await resolver.workspaceFor('t');
    const again = await Promise.all([resolver.workspaceFor('t'), resolver.workspaceFor('t'), resolver.workspaceFor('t')]);
    expect(again.every((w) => w === first)).toBe(true);
    expect(reads).toEqual({ threads: 1, workspaces: 1 });
    expect(opened).toEqual(['opfs:w']);
  });

  it('looks again after forget (the bindWorkspace RPC)', async () => {
    const { threads, registry, resolver, reads } = setup();
    await registry.putWorkspace(record('w'));
    await threads.putThread(thread('t'));
    expect((await resolver.workspaceFor('t')).id).toBe(DEFAULT_WORKSPACE_ID);
    await threads.putThread(thread('t', 'w'));
    // Without forget the cached binding stays: the tab must call bindWorkspace.
    expect((await resolver.workspaceFor('t')).id).toBe(DEFAULT_WORKSPACE_ID);
    resolver.forget('t');
    expect((await resolver.workspaceFor('t')).id).toBe('w');
    expect(reads.threads).toBe(2);
  });

  it('forgets one thread only', async () => {
    const { threads, resolver, reads } = setup();
    await threads.putThread(thread('a'));
    await threads.putThread(thread('b'));
    await resolver.workspaceFor('a');
    await resolver.workspaceFor('b');
    resolver.forget('a');
    await resolver.workspaceFor('a');
    await resolver.workspaceFor('b');
    expect(reads.threads).toBe(3);
  });

  it('does not remember a failure, and a forget during an open wins', async () => {
    let fail = true;
    const waiting: (() => void)[] = [];
    const releaseNext = async () => {
      await new Promise((r) => setTimeout(r, 0));
      waiting.shift()!();
    };
    const threads = createMemoryThreadStore();
    await threads.putThread(thread('t', 'w'));
    const registry = createMemoryWorkspaceRegistry();
    await registry.putWorkspace(record('w'));
    const resolver = createWorkspaceResolver({
      getThread: (id) => threads.getThread(id),
      getWorkspace: (id) => registry.getWorkspace(id),
      openOpfs: async (id) => {
        if (fail) throw new Error('storage unavailable');
        await new Promise<void>((resolve) => waiting.push(resolve));
        return createMemoryWorkspace(id, {});
      },
      openLocal: async () => {
        throw new Error('unused');
      },
    });
    await expect(resolver.workspaceFor('t')).rejects.toThrow('storage unavailable');
    fail = false;
    const slow = resolver.workspaceFor('t');
    await new Promise((r) => setTimeout(r, 0));
    resolver.forget('t'); // the binding changes while the old one is still opening
    await threads.putThread(thread('t'));
    const fresh = resolver.workspaceFor('t');
    await releaseNext();
    await releaseNext();
    expect((await slow).id).toBe('w');
    expect((await fresh).id).toBe(DEFAULT_WORKSPACE_ID);
    expect((await resolver.workspaceFor('t')).id).toBe(DEFAULT_WORKSPACE_ID);
  });
});

describe('guardAccess', () => {
  const inner = (): Workspace => createMemoryWorkspace('disk', { 'a.txt': 'A' });

  it('runs operations while access is granted, and refuses with the message when it is not', async () => {
    let state: AccessState = 'granted';
    const workspace = guardAccess(inner(), 'my-project', async () => state);
    expect(workspace.id).toBe('disk');
    expect(await workspace.readText('a.txt')).toBe('A');
    state = 'prompt';
    const message = lostAccessMessage('my-project');
    expect(message).toBe('Switchboard lost access to the folder "my-project"; open the Files panel and press Grant access');
    await expect(workspace.readText('a.txt')).rejects.toThrow(message);
    await expect(workspace.list('', 1)).rejects.toThrow(message);
    await expect(workspace.writeText('b.txt', 'B')).rejects.toThrow(message);
    await expect(workspace.exists('a.txt')).rejects.toThrow(message);
    await expect(workspace.remove('a.txt')).rejects.toThrow(message);
    state = 'granted'; // the user pressed Grant access in a tab: no rebind needed
    expect(await workspace.exists('a.txt')).toBe('file');
    expect(await workspace.exists('b.txt')).toBeNull();
  });

  it('turns an access error thrown mid-operation into the message, and passes others on', async () => {
    const denied = Object.assign(new Error('The request is not allowed'), { name: 'NotAllowedError' });
    const base = inner();
    const failing: Workspace = { ...base, readText: async () => Promise.reject(denied), list: async () => Promise.reject(new Error('no directory "x"')) };
    const workspace = guardAccess(failing, 'p', async () => 'granted');
    await expect(workspace.readText('a.txt')).rejects.toThrow(lostAccessMessage('p'));
    await expect(workspace.list('x', 1)).rejects.toThrow('no directory "x"');
    const queryFails = guardAccess(base, 'p', async () => Promise.reject(Object.assign(new Error('x'), { name: 'SecurityError' })));
    await expect(queryFails.readText('a.txt')).rejects.toThrow(lostAccessMessage('p'));
  });
});

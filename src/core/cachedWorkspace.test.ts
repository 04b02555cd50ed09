import { describe, expect, it } from 'vitest';
import { createCachedWorkspace } from './cachedWorkspace.ts';
import { createMemoryWorkspace, type Workspace } from './workspace.ts';

/** A memory workspace that counts the reads that reach it. */
function counted(files: Record<string, string>) {
  const inner = createMemoryWorkspace('w', files);
  const calls = { list: 0, readText: 0, exists: 0 };
  const workspace: Workspace = {
    ...inner,
    list: (p, d) => (calls.list++, inner.list(p, d)),
    readText: (p) => (calls.readText++, inner.readText(p)),
    exists: (p) => (calls.exists++, inner.exists(p)),
  };
  return { inner, workspace, calls };
}

describe('createCachedWorkspace', () => {
  it('answers repeated reads from memory', async () => {
    const { workspace, calls } = counted({ 'a.txt': 'A', 'src/b.ts': 'B' });
    const cached = createCachedWorkspace(workspace);
    const first = await cached.list('', 3);
    expect(await cached.list('', 3)).toEqual(first);
    expect(await cached.list('/', 3)).toEqual(first); // same path, spelled differently
    expect(await cached.readText('a.txt')).toBe('A');
    expect(await cached.readText('./a.txt')).toBe('A');
    expect(await cached.exists('src')).toBe('directory');
    expect(await cached.exists('src')).toBe('directory');
    expect(calls).toEqual({ list: 1, readText: 1, exists: 1 });
  });

  it('a write through it is visible at once, and listings are read again', async () => {
    const { workspace, calls } = counted({ 'a.txt': 'A' });
    const cached = createCachedWorkspace(workspace);
    await cached.list('', 3);
    await cached.readText('a.txt');
    await cached.writeText('a.txt', 'A2');
    await cached.writeText('new/c.txt', 'C');
    expect(await cached.readText('a.txt')).toBe('A2');
    expect((await cached.list('', 3)).map((e) => e.path)).toEqual(['a.txt', 'new', 'new/c.txt']);
    await cached.remove('a.txt');
    await expect(cached.readText('a.txt')).rejects.toThrow(/no file/);
    expect(await cached.exists('a.txt')).toBe(null);
    expect(calls.list).toBe(2);
  });

  it('invalidate() forgets changes made elsewhere', async () => {
    const { inner, workspace } = counted({ 'a.txt': 'A' });
    const cached = createCachedWorkspace(workspace);
    await cached.readText('a.txt');
    await cached.list('', 1);
    await inner.writeText('a.txt', 'changed by the Files panel');
    await inner.writeText('b.txt', 'B');
    expect(await cached.readText('a.txt')).toBe('A'); // still the remembered text
    cached.invalidate();
    expect(await cached.readText('a.txt')).toBe('changed by the Files panel');
    expect((await cached.list('', 1)).map((e) => e.path)).toEqual(['a.txt', 'b.txt']);
  });

  it('does not remember a read that raced a write', async () => {
    const inner = createMemoryWorkspace('w', { 'a.txt': 'old' });
    let releaseRead!: () => void;
    const slow: Workspace = {
      ...inner,
      readText: async (p) => {
        const text = await inner.readText(p);
        await new Promise<void>((resolve) => (releaseRead = resolve));
        return text;
      },
    };
    const cached = createCachedWorkspace(slow);
    const read = cached.readText('a.txt');
    await Promise.resolve();
    await cached.writeText('a.txt', 'new');
    releaseRead();
    expect(await read).toBe('old');
    expect(await cached.readText('a.txt')).toBe('new');
  });

  it('keeps file texts within its memory bound, dropping the least recently used', async () => {
    const text = (c: string) => c.repeat(25);
    const { workspace, calls } = counted({ a: text('a'), b: text('b'), c: text('c'), d: text('d'), e: text('e') });
    const cached = createCachedWorkspace(workspace, { maxTextBytes: 100 });
    for (const p of ['a', 'b', 'a', 'c', 'd', 'e']) await cached.readText(p); // 125 chars: b (least recent) goes
    calls.readText = 0;
    for (const p of ['a', 'c', 'd', 'e']) await cached.readText(p);
    expect(calls.readText).toBe(0);
    await cached.readText('b');
    expect(calls.readText).toBe(1);
  });

  it('does not cache failures', async () => {
    const { inner, workspace, calls } = counted({});
    const cached = createCachedWorkspace(workspace);
    await expect(cached.readText('late.txt')).rejects.toThrow();
    await inner.writeText('late.txt', 'here now');
    expect(await cached.readText('late.txt')).toBe('here now');
    expect(calls.readText).toBe(2);
  });
});

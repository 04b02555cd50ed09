// The OPFS workspace over a small in-memory fake of the File System Access handles, with the
// DOMException names the spec gives for each failure.
import { describe, expect, it } from 'vitest';
import { createOpfsWorkspace } from './opfsWorkspace.ts';

const fail = (name: 'NotFoundError' | 'TypeMismatchError' | 'InvalidModificationError') => new DOMException(name, name);

class FakeFile {
  readonly kind = 'file';
  content = '';
  failWrites = false;
  async getFile() {
    const content = this.content;
    return { size: new TextEncoder().encode(content).length, text: async () => content };
  }
  async createWritable() {
    // Like OPFS: writes go to a swap buffer that replaces the content only on close().
    let swap = '';
    return {
      write: async (text: string) => {
        if (this.failWrites) throw new DOMException('quota', 'QuotaExceededError');
        swap += text;
      },
      close: async () => {
        this.content = swap;
      },
      abort: async () => undefined,
    };
  }
}

class FakeDir {
  readonly kind = 'directory';
  readonly children = new Map<string, FakeDir | FakeFile>();
  async getDirectoryHandle(name: string, options?: { create?: boolean }) {
    const child = this.children.get(name) ?? (options?.create ? this.add(name, new FakeDir()) : null);
    if (!child) throw fail('NotFoundError');
    if (!(child instanceof FakeDir)) throw fail('TypeMismatchError');
    return child;
  }
  async getFileHandle(name: string, options?: { create?: boolean }) {
    const child = this.children.get(name) ?? (options?.create ? this.add(name, new FakeFile()) : null);
    if (!child) throw fail('NotFoundError');
    if (!(child instanceof FakeFile)) throw fail('TypeMismatchError');
    return child;
  }
  async removeEntry(name: string) {
    const child = this.children.get(name);
    if (!child) throw fail('NotFoundError');
    if (child instanceof FakeDir && child.children.size > 0) throw fail('InvalidModificationError');
    this.children.delete(name);
  }
  async *entries() {
    yield* this.children.entries();
  }
  private add<T extends FakeDir | FakeFile>(name: string, child: T): T {
    this.children.set(name, child);
    return child;
  }
}

function setup() {
  const root = new FakeDir();
  return { root, workspace: createOpfsWorkspace('w', root as unknown as FileSystemDirectoryHandle) };
}

describe('OPFS workspace writes', () => {
  it('writes a file, creating its parent directories, and reads it back', async () => {
    const { workspace } = setup();
    await workspace.writeText('src/deep/a.ts', 'one');
    await workspace.writeText('/src/deep/a.ts', 'two');
    expect(await workspace.readText('src/deep/a.ts')).toBe('two');
    expect((await workspace.list('', 5)).map((e) => `${e.kind} ${e.path}`)).toEqual(['directory src', 'directory src/deep', 'file src/deep/a.ts']);
  });

  it('says what is at a path', async () => {
    const { workspace } = setup();
    await workspace.writeText('a/b.txt', 'b');
    expect(await workspace.exists('')).toBe('directory');
    expect(await workspace.exists('a')).toBe('directory');
    expect(await workspace.exists('a/b.txt')).toBe('file');
    expect(await workspace.exists('a/b.txt/c')).toBeNull();
    expect(await workspace.exists('a/missing/c')).toBeNull();
    await expect(workspace.exists('../x')).rejects.toThrow('outside the workspace');
  });

  it('removes files only', async () => {
    const { root, workspace } = setup();
    await workspace.writeText('a/b.txt', 'b');
    await root.getDirectoryHandle('empty', { create: true });
    await expect(workspace.remove('empty')).rejects.toThrow('"empty" is a directory');
    await expect(workspace.remove('a/missing.txt')).rejects.toThrow('no file "a/missing.txt"');
    await workspace.remove('a/b.txt');
    expect(await workspace.exists('a/b.txt')).toBeNull();
    expect(await workspace.exists('empty')).toBe('directory');
  });

  it('refuses to write onto a directory or below a file', async () => {
    const { workspace } = setup();
    await workspace.writeText('a/b.txt', 'b');
    await expect(workspace.writeText('a', 'x')).rejects.toThrow('cannot write "a": "a" is not a file');
    await expect(workspace.writeText('a/b.txt/c', 'x')).rejects.toThrow('cannot create "a/b.txt/c": "a/b.txt" is not a directory');
    await expect(workspace.writeText('', 'x')).rejects.toThrow('is a directory');
  });

  it('keeps the old content when a write fails', async () => {
    const { root, workspace } = setup();
    await workspace.writeText('f.txt', 'old');
    (await root.getFileHandle('f.txt')).failWrites = true;
    await expect(workspace.writeText('f.txt', 'new')).rejects.toThrow('quota');
    expect(await workspace.readText('f.txt')).toBe('old');
  });
});

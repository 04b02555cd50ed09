import { describe, expect, it } from 'vitest';
import { createMemoryWorkspace } from './workspace.ts';

describe('memory workspace writes', () => {
  it('writes, reads back, lists and removes files, creating directories implicitly', async () => {
    const workspace = createMemoryWorkspace('w', { 'README.md': '# hi' });
    await workspace.writeText('src/deep/new.ts', 'export {};\n');
    await workspace.writeText('README.md', '# changed');
    expect(await workspace.readText('src/deep/new.ts')).toBe('export {};\n');
    expect(await workspace.readText('README.md')).toBe('# changed');
    expect((await workspace.list('', 5)).map((e) => `${e.kind} ${e.path}`)).toEqual(['file README.md', 'directory src', 'directory src/deep', 'file src/deep/new.ts']);
    await workspace.remove('./src/deep/new.ts');
    expect(await workspace.exists('src/deep/new.ts')).toBeNull();
    expect(await workspace.exists('src')).toBeNull();
  });

  it('says what is at a path', async () => {
    const workspace = createMemoryWorkspace('w', { 'a/b.txt': '' });
    expect(await workspace.exists('')).toBe('directory');
    expect(await workspace.exists('a')).toBe('directory');
    expect(await workspace.exists('/a/b.txt')).toBe('file');
    expect(await workspace.exists('a/b.txt/c')).toBeNull();
    expect(await workspace.exists('nope')).toBeNull();
    await expect(workspace.exists('../a')).rejects.toThrow('outside the workspace');
  });

  it('refuses writes onto a directory or below a file, and removals of directories or missing files', async () => {
    const workspace = createMemoryWorkspace('w', { 'a/b.txt': 'b' });
    await expect(workspace.writeText('a', 'x')).rejects.toThrow('"a" is a directory');
    await expect(workspace.writeText('', 'x')).rejects.toThrow('is a directory');
    await expect(workspace.writeText('a/b.txt/c', 'x')).rejects.toThrow('"a/b.txt" is a file');
    await expect(workspace.writeText('../x', 'x')).rejects.toThrow('outside the workspace');
    await expect(workspace.remove('a')).rejects.toThrow('"a" is a directory');
    await expect(workspace.remove('a/c.txt')).rejects.toThrow('no file "a/c.txt"');
    expect(await workspace.readText('a/b.txt')).toBe('b');
  });
});

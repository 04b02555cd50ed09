import { describe, expect, it } from 'vitest';
import { contextWith, prepared, rejection, snapshot } from './toolHarness.ts';

describe('write_file', () => {
  it('creates a file and its directories once run, not before', async () => {
    const context = contextWith({});
    const call = await prepared(context, 'write_file', { path: 'src/new/a.ts', content: 'one\ntwo\n' });
    expect(call).toMatchObject({ access: 'write', summary: 'write_file: create src/new/a.ts (2 lines)', detail: '--- /dev/null\n+++ b/src/new/a.ts\n@@ -0,0 +1,2 @@\n+one\n+two\n' });
    expect(await snapshot(context.workspace)).toEqual({});
    const result = await call.run();
    expect(result.output).toBe('Created src/new/a.ts (2 lines).');
    expect(result.changes).toEqual([{ path: 'src/new/a.ts', kind: 'add', before: null, after: 'one\ntwo\n', diff: call.detail }]);
    expect(await snapshot(context.workspace)).toEqual({ 'src/new/a.ts': 'one\ntwo\n' });
  });

  it('replaces a file, showing only the changed lines with context', async () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8', '9', ''].join('\n');
    const context = contextWith({ 'n.txt': before });
    const call = await prepared(context, 'write_file', { path: 'n.txt', content: before.replace('5\n', 'five\n') });
    expect(call.summary).toBe('write_file: update n.txt (+1 −1)');
    expect(call.detail).toBe('--- a/n.txt\n+++ b/n.txt\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n');
    const result = await call.run();
    expect(result.output).toBe('Updated n.txt (+1 −1).');
    expect(result.changes).toEqual([{ path: 'n.txt', kind: 'update', before, after: before.replace('5\n', 'five\n'), diff: call.detail }]);
  });

  it('keeps a CRLF file CRLF when the model writes plain LF, and shows no CR in the diff', async () => {
    const context = contextWith({ 'w.txt': 'a\r\nb\r\n' });
    const call = await prepared(context, 'write_file', { path: 'w.txt', content: 'a\nB\n' });
    expect(call.detail).toBe('--- a/w.txt\n+++ b/w.txt\n@@ -1,2 +1,2 @@\n a\n-b\n+B\n');
    await call.run();
    expect(await context.workspace.readText('w.txt')).toBe('a\r\nB\r\n');
  });

  it('writes content with CRs exactly as given, and says when only line endings change', async () => {
    const context = contextWith({ 'u.txt': 'a\nb\n' });
    const call = await prepared(context, 'write_file', { path: 'u.txt', content: 'a\r\nb\r\n' });
    expect(call.detail).toBe('--- a/u.txt\n+++ b/u.txt\n(only the line endings change)\n');
    await call.run();
    expect(await context.workspace.readText('u.txt')).toBe('a\r\nb\r\n');
  });

  it('shows a final newline that comes or goes', async () => {
    const call = await prepared(contextWith({ 'f.txt': 'a\nb' }), 'write_file', { path: 'f.txt', content: 'a\nb\n' });
    expect(call.detail).toBe('--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n');
  });

  it('needs no approval to write the content a file already has', async () => {
    const context = contextWith({ 'same.txt': 'x\n' });
    const call = await prepared(context, 'write_file', { path: 'same.txt', content: 'x\n' });
    expect(call).toMatchObject({ access: 'read', summary: 'write_file: same.txt (unchanged)' });
    expect(await call.run()).toEqual({ output: '"same.txt" already has exactly this content; nothing was written.', changes: [] });
  });

  it('refuses a directory, a path below a file, the root, and a missing content', async () => {
    const context = contextWith({ 'dir/x': '', 'file.txt': '' });
    expect(await rejection(context, 'write_file', { path: 'dir', content: '' })).toBe('Error: write_file failed: "dir" is a directory');
    expect(await rejection(context, 'write_file', { path: 'file.txt/inner', content: '' })).toBe('Error: write_file failed: cannot create "file.txt/inner": "file.txt" is a file');
    expect(await rejection(context, 'write_file', { path: '.', content: '' })).toBe('Error: write_file failed: argument "path" names the workspace root, not a file');
    expect(await rejection(context, 'write_file', { path: 'a.txt' })).toBe('Error: write_file failed: missing required argument "content"');
  });

  it('writes nothing when the file changed, appeared or went away after prepare', async () => {
    const context = contextWith({ 'a.txt': 'old\n' });
    const update = await prepared(context, 'write_file', { path: 'a.txt', content: 'mine\n' });
    const create = await prepared(context, 'write_file', { path: 'b.txt', content: 'mine\n' });
    await context.workspace.writeText('a.txt', 'theirs\n');
    await context.workspace.writeText('b.txt', 'theirs\n');
    expect(await update.run()).toEqual({ output: 'Error: write_file failed: "a.txt" changed after this write was prepared, so nothing was written; read it again and redo the change', changes: [] });
    expect((await create.run()).output).toMatch(/"b\.txt" was created after this write was prepared/);
    const gone = await prepared(context, 'write_file', { path: 'a.txt', content: 'mine\n' });
    await context.workspace.remove('a.txt');
    expect((await gone.run()).output).toMatch(/"a\.txt" was removed after this write was prepared/);
    expect(await snapshot(context.workspace)).toEqual({ 'b.txt': 'theirs\n' });
  });

  it('reports a failing write as output', async () => {
    const context = contextWith({});
    const call = await prepared(context, 'write_file', { path: 'a.txt', content: 'x' });
    context.workspace.writeText = () => Promise.reject(new Error('quota exceeded'));
    expect(await call.run()).toEqual({ output: 'Error: write_file failed: quota exceeded', changes: [] });
  });
});

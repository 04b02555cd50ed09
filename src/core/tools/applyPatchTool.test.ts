import { describe, expect, it } from 'vitest';
import { contextWith, prepared, rejection, snapshot } from './toolHarness.ts';

const patch = (...body: string[]) => ['*** Begin Patch', ...body, '*** End Patch'].join('\n');

describe('apply_patch', () => {
  const files = { 'src/a.ts': 'one\ntwo\nthree\n', 'old.txt': 'moving\n', 'gone.txt': 'bye\n' };
  const full = patch('*** Add File: new.txt', '+hello', '*** Update File: src/a.ts', '@@', ' one', '-two', '+TWO', ' three', '*** Update File: old.txt', '*** Move to: moved/new-name.txt', '*** Delete File: gone.txt');

  it('plans the whole patch at prepare, with every diff, and writes nothing until run', async () => {
    const context = contextWith(files);
    const call = await prepared(context, 'apply_patch', { patch: full });
    expect(call.access).toBe('write');
    expect(call.summary).toBe('apply_patch: add 1 file, update 1, move 1, delete 1');
    expect(call.detail).toBe(
      [
        '--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1,1 @@\n+hello\n',
        '--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n',
        '--- a/old.txt\n+++ b/moved/new-name.txt\n',
        '--- a/gone.txt\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-bye\n',
      ].join(''),
    );
    expect(await snapshot(context.workspace)).toEqual(files);

    const result = await call.run();
    expect(result.output).toBe('Applied the patch (add 1 file, update 1, move 1, delete 1):\nA new.txt\nM src/a.ts\nM moved/new-name.txt (moved from old.txt)\nD gone.txt');
    expect(await snapshot(context.workspace)).toEqual({ 'new.txt': 'hello\n', 'src/a.ts': 'one\nTWO\nthree\n', 'moved/new-name.txt': 'moving\n' });
    expect(result.changes).toEqual([
      { path: 'new.txt', kind: 'add', before: null, after: 'hello\n', diff: expect.stringContaining('+hello') },
      { path: 'src/a.ts', kind: 'update', before: 'one\ntwo\nthree\n', after: 'one\nTWO\nthree\n', diff: expect.stringContaining('+TWO') },
      { path: 'moved/new-name.txt', kind: 'move', from: 'old.txt', before: 'moving\n', after: 'moving\n', diff: '--- a/old.txt\n+++ b/moved/new-name.txt\n' },
      { path: 'gone.txt', kind: 'delete', before: 'bye\n', after: null, diff: expect.stringContaining('-bye') },
    ]);
  });

  it('refuses a malformed patch at prepare, naming the line', async () => {
    const output = await rejection(contextWith(files), 'apply_patch', { patch: '*** Begin Patch\n*** Frobnicate: a\n*** End Patch' });
    expect(output).toMatch(/^Error: apply_patch failed: the patch is malformed, nothing was changed: patch line 2: expected .* found an unknown directive "\*\*\* Frobnicate: a"$/);
  });

  it('refuses context that does not match, naming the file, hunk and patch line', async () => {
    const context = contextWith(files);
    const output = await rejection(context, 'apply_patch', { patch: patch('*** Update File: src/a.ts', '@@', ' one', '-two', '+2', '@@', ' nowhere', '-x', '+y') });
    expect(output).toBe(
      'Error: apply_patch failed: the patch cannot be applied, nothing was changed:\n- src/a.ts, hunk 2 (patch line 8): could not find the context line "nowhere" (searched lines 3–3 of the file)',
    );
    expect(await snapshot(context.workspace)).toEqual(files);
  });

  it.each(['../x', 'a/../../x', '..\\evil', '/../etc/passwd'])('refuses the path %j in Add, Delete, Update and Move', async (path) => {
    const context = contextWith(files);
    for (const body of [[`*** Add File: ${path}`, '+pwned'], [`*** Delete File: ${path}`], [`*** Update File: ${path}`, '@@', '+x'], ['*** Update File: old.txt', `*** Move to: ${path}`]]) {
      expect(await rejection(context, 'apply_patch', { patch: patch(...body) })).toMatch(/outside the workspace/);
    }
    expect(await snapshot(context.workspace)).toEqual(files);
  });

  it('keeps a CRLF file CRLF', async () => {
    const context = contextWith({ 'w.txt': 'a\r\nb\r\nc\r\n' });
    await (await prepared(context, 'apply_patch', { patch: patch('*** Update File: w.txt', '@@', ' a', '-b', '+B', ' c') })).run();
    expect(await context.workspace.readText('w.txt')).toBe('a\r\nB\r\nc\r\n');
  });

  it('writes nothing and asks for a new patch when a file changed after prepare', async () => {
    const context = contextWith(files);
    const call = await prepared(context, 'apply_patch', { patch: full });
    await context.workspace.writeText('src/a.ts', 'someone else\n');
    expect(await call.run()).toEqual({
      output: 'Error: apply_patch failed: changed since the patch was checked, nothing was changed: "src/a.ts"; read the files again and make a new patch',
      changes: [],
    });
    expect(await snapshot(context.workspace)).toEqual({ ...files, 'src/a.ts': 'someone else\n' });
  });

  it('rolls back when a write fails midway, and reports no changes', async () => {
    const context = contextWith(files);
    const call = await prepared(context, 'apply_patch', { patch: full });
    const write = context.workspace.writeText.bind(context.workspace);
    let writes = 0;
    context.workspace.writeText = (path, text) => (++writes === 2 ? Promise.reject(new Error('quota exceeded')) : write(path, text));
    const result = await call.run();
    expect(result).toEqual({ output: 'Error: apply_patch failed: could not write "src/a.ts": quota exceeded; every file was put back, nothing was changed', changes: [] });
    expect(await snapshot(context.workspace)).toEqual(files);
  });

  it('notes hunks placed by a whitespace-tolerant match', async () => {
    const context = contextWith({ 'p.py': 'def f():\n    return 1   \n' });
    const result = await (await prepared(context, 'apply_patch', { patch: patch('*** Update File: p.py', '@@', '-    return 1', '+    return 2') })).run();
    expect(result.output).toBe('Applied the patch (update 1 file):\nM p.py\n(hunk 1 of p.py matched at line 2 ignoring trailing whitespace)');
  });
});

import { describe, expect, it } from 'vitest';
import { createMemoryWorkspace, type Workspace } from '../workspace.ts';
import { applyPlan, PatchPlanError, planPatch, summarizePlan, type PatchPlan } from './applyPatch.ts';
import { PatchParseError, parsePatch } from './parsePatch.ts';

const lines = (...l: string[]) => l.join('\n');
const patch = (...body: string[]) => lines('*** Begin Patch', ...body, '*** End Patch');

/** Every file's exact text, by path. */
async function snapshot(workspace: Workspace): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await workspace.list('', 100)) if (entry.kind === 'file') files[entry.path] = await workspace.readText(entry.path);
  return files;
}

/** Plans and applies `text` over a fresh memory workspace holding `files`; returns the files after. */
async function apply(files: Record<string, string>, text: string) {
  const workspace = createMemoryWorkspace('w', files);
  const plan = await planPatch(parsePatch(text), workspace);
  const result = await applyPlan(plan, workspace);
  expect(result.status).toBe('applied');
  return { plan, result, after: await snapshot(workspace) };
}

/** Plans `text` expecting a PatchPlanError, and checks the workspace did not change at all. */
async function refused(files: Record<string, string>, text: string): Promise<PatchPlanError> {
  const workspace = createMemoryWorkspace('w', files);
  const before = await snapshot(workspace);
  const error = await planPatch(parsePatch(text), workspace).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PatchPlanError);
  expect(await snapshot(workspace)).toEqual(before);
  return error as PatchPlanError;
}

describe('planPatch + applyPlan', () => {
  it('adds, updates with two hunks, moves and deletes in one patch, exactly', async () => {
    const files = {
      'src/app.ts': lines('import a from "a";', '', 'export function one() {', '  return 1;', '}', '', 'export function two() {', '  return 2;', '}', ''),
      'src/old.ts': lines('export const name = "old";', 'export const keep = true;', ''),
      'junk.txt': 'bye\n',
      'README.md': '# hi\n',
    };
    const { plan, result, after } = await apply(
      files,
      patch(
        '*** Add File: docs/guide.md',
        '+# Guide',
        '+',
        '+Read me.',
        '*** Update File: src/app.ts',
        '@@',
        ' export function one() {',
        '-  return 1;',
        '+  return 10;',
        ' }',
        '@@',
        ' export function two() {',
        '-  return 2;',
        '+  return 20;',
        '+  // twenty',
        ' }',
        '*** Update File: src/old.ts',
        '*** Move to: src/new.ts',
        '@@',
        '-export const name = "old";',
        '+export const name = "new";',
        '*** Delete File: junk.txt',
      ),
    );
    expect(after).toEqual({
      'README.md': '# hi\n',
      'docs/guide.md': '# Guide\n\nRead me.\n',
      'src/app.ts': lines('import a from "a";', '', 'export function one() {', '  return 10;', '}', '', 'export function two() {', '  return 20;', '  // twenty', '}', ''),
      'src/new.ts': lines('export const name = "new";', 'export const keep = true;', ''),
    });
    expect(plan.changes.map((c) => c.kind)).toEqual(['add', 'update', 'move', 'delete']);
    expect(result).toEqual({ status: 'applied', summary: lines('A docs/guide.md', 'M src/app.ts', 'M src/new.ts (moved from src/old.ts)', 'D junk.txt') });
    const update = plan.changes[1]!;
    expect(update.kind === 'update' && update.hunks).toEqual([
      { hunk: 1, line: 3, quality: 'exact' },
      { hunk: 2, line: 7, quality: 'exact' },
    ]);
    expect(update.diff).toContain('--- a/src/app.ts\n+++ b/src/app.ts\n');
    expect(update.diff).toContain('-  return 2;\n+  return 20;\n+  // twenty\n');
    expect(plan.changes[0]!.diff).toBe('--- /dev/null\n+++ b/docs/guide.md\n@@ -0,0 +1,3 @@\n+# Guide\n+\n+Read me.\n');
    expect(plan.changes[2]!.diff).toContain('--- a/src/old.ts\n+++ b/src/new.ts\n');
    expect(plan.changes[3]!.diff).toBe('--- a/junk.txt\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-bye\n');
  });

  it('moves a file without changing it', async () => {
    const { after } = await apply({ 'a.txt': 'same\n' }, patch('*** Update File: a.txt', '*** Move to: dir/b.txt'));
    expect(after).toEqual({ 'dir/b.txt': 'same\n' });
  });

  it('places a hunk below its "@@ header" line', async () => {
    const file = lines('function a() {', '  return 1;', '}', 'function b() {', '  return 1;', '}', '');
    const { after } = await apply({ 'f.js': file }, patch('*** Update File: f.js', '@@ function b() {', '-  return 1;', '+  return 2;'));
    expect(after['f.js']).toBe(lines('function a() {', '  return 1;', '}', 'function b() {', '  return 2;', '}', ''));
  });

  it('lets a hunk repeat its header line as its first context line', async () => {
    const file = lines('def a():', '    pass', 'def b():', '    pass', '');
    const { after } = await apply({ 'f.py': file }, patch('*** Update File: f.py', '@@ def b():', ' def b():', '-    pass', '+    return 2'));
    expect(after['f.py']).toBe(lines('def a():', '    pass', 'def b():', '    return 2', ''));
  });

  it('inserts a hunk of only "+" lines below its header, or at the end without one', async () => {
    const file = lines('class A:', '    x = 1', 'class B:', '    y = 2', '');
    const { after } = await apply(
      { 'f.py': file },
      patch('*** Update File: f.py', '@@ class B:', '+    z = 3', '@@', '+class C:', '+    pass'),
    );
    expect(after['f.py']).toBe(lines('class A:', '    x = 1', 'class B:', '    z = 3', '    y = 2', 'class C:', '    pass', ''));
  });

  it('matches context that appears twice at its first occurrence after the previous hunk', async () => {
    const file = lines('x', 'A', 'x', 'B', 'x', '');
    const first = await apply({ 'f': file }, patch('*** Update File: f', '@@', '-x', '+y'));
    expect(first.after['f']).toBe(lines('y', 'A', 'x', 'B', 'x', ''));
    const afterHunk = await apply({ 'f': file }, patch('*** Update File: f', '@@', '-A', '+a', '@@', '-x', '+y'));
    expect(afterHunk.after['f']).toBe(lines('x', 'a', 'y', 'B', 'x', ''));
  });

  it('honours "*** End of File": the hunk matches the last lines', async () => {
    const file = lines('end', 'middle', 'end', '');
    const { after } = await apply({ 'f': file }, patch('*** Update File: f', '@@', '-end', '+END', '*** End of File'));
    expect(after['f']).toBe(lines('end', 'middle', 'END', ''));
  });

  describe('whitespace-tolerant matching', () => {
    it('ignores trailing whitespace, then surrounding whitespace, and keeps the file\'s own context lines', async () => {
      const file = lines('def f():   ', '    a = 1\t', '    b = 2', '');
      const { plan, after } = await apply(
        { 'f.py': file },
        patch('*** Update File: f.py', '@@', ' def f():', '-    a = 1', '+    a = 10', '@@', ' b = 2', '+    c = 3'),
      );
      // The context line "def f():   " keeps its trailing spaces: the patch only quoted it.
      expect(after['f.py']).toBe(lines('def f():   ', '    a = 10', '    b = 2', '    c = 3', ''));
      const change = plan.changes[0]!;
      expect(change.kind === 'update' && change.hunks.map((h) => h.quality)).toEqual(['trailing-whitespace', 'surrounding-whitespace']);
    });

    it('prefers an exact match later in the file over a loose one earlier', async () => {
      const file = lines('  value', 'value', '');
      const { after } = await apply({ 'f': file }, patch('*** Update File: f', '@@', '-value', '+VALUE'));
      expect(after['f']).toBe(lines('  value', 'VALUE', ''));
    });
  });

  describe('line endings', () => {
    it('keeps a CRLF file CRLF, whatever the patch uses', async () => {
      const file = 'one\r\ntwo\r\nthree\r\n';
      const { after, plan } = await apply({ 'w.txt': file }, patch('*** Update File: w.txt', '@@', ' one', '-two', '+2', '+2.5', ' three').replace(/\n/g, '\r\n'));
      expect(after['w.txt']).toBe('one\r\n2\r\n2.5\r\nthree\r\n');
      // The display diff is not cluttered with CRs.
      expect(plan.changes[0]!.diff).toContain('-two\n+2\n+2.5\n');
    });

    it('keeps each line\'s own ending in a mixed file', async () => {
      const { after } = await apply({ 'm': 'a\r\nb\nc\r\nd\r\n' }, patch('*** Update File: m', '@@', ' b', '-c', '+C', '+C2'));
      expect(after['m']).toBe('a\r\nb\nC\r\nC2\r\nd\r\n');
    });

    it('keeps a missing final newline when the last line changes or lines are appended', async () => {
      const changed = await apply({ 'n': 'a\nb' }, patch('*** Update File: n', '@@', ' a', '-b', '+B'));
      expect(changed.after['n']).toBe('a\nB');
      const appended = await apply({ 'n': 'a\nb' }, patch('*** Update File: n', '@@', ' b', '+c', '*** End of File'));
      expect(appended.after['n']).toBe('a\nb\nc');
      const removedLast = await apply({ 'n': 'a\nb' }, patch('*** Update File: n', '@@', ' a', '-b'));
      expect(removedLast.after['n']).toBe('a');
    });

    it('keeps a final newline, and gives lines added to an empty file one', async () => {
      const kept = await apply({ 'n': 'a\nb\n' }, patch('*** Update File: n', '@@', '-b', '+B'));
      expect(kept.after['n']).toBe('a\nB\n');
      const empty = await apply({ 'e': '' }, patch('*** Update File: e', '@@', '+first'));
      expect(empty.after['e']).toBe('first\n');
    });
  });

  describe('adversarial patches change nothing', () => {
    it.each(['../x', '/../x', 'a/../../x', 'a/b/../../../etc/passwd', '..\\x'])('refuses the path %s', async (path) => {
      for (const body of [[`*** Add File: ${path}`, '+pwned'], [`*** Delete File: ${path}`], [`*** Update File: ${path}`, '@@', '+x']]) {
        const error = await refused({ 'a/f': 'f\n' }, patch(...body));
        expect(error.problems).toEqual([{ path, hunk: null, patchLine: 2, message: `path "${path}" is outside the workspace` }]);
      }
      const move = await refused({ 'a/f': 'f\n' }, patch('*** Update File: a/f', `*** Move to: ${path}`));
      expect(move.problems[0]).toMatchObject({ path, patchLine: 3, message: expect.stringContaining('outside the workspace') });
    });

    it('refuses a path with a NUL character in Add, Delete, Update and Move', async () => {
      const path = 'a/b\0.txt';
      for (const body of [[`*** Add File: ${path}`, '+x'], [`*** Delete File: ${path}`], [`*** Update File: ${path}`, '@@', '+x']]) {
        const error = await refused({ 'a/f': 'f\n' }, patch(...body));
        expect(error.problems).toEqual([{ path, hunk: null, patchLine: 2, message: `path "${path}" contains a NUL character` }]);
      }
      const move = await refused({ 'a/f': 'f\n' }, patch('*** Update File: a/f', `*** Move to: ${path}`));
      expect(move.problems).toEqual([{ path, hunk: null, patchLine: 3, message: `path "${path}" contains a NUL character` }]);
    });

    it('takes an absolute path as relative to the workspace root', async () => {
      const { after } = await apply({}, patch('*** Add File: /etc/passwd', '+inside'));
      expect(after).toEqual({ 'etc/passwd': 'inside\n' });
    });

    it('refuses a path that names the root', async () => {
      const error = await refused({}, patch('*** Add File: ./', '+x'));
      expect(error.problems[0]!.message).toBe('names the workspace root, not a file');
    });

    it('refuses to add over an existing file or directory, or below a file', async () => {
      const files = { 'a.txt': 'old\n', 'dir/x': 'x\n' };
      expect((await refused(files, patch('*** Add File: a.txt', '+new'))).problems[0]!.message).toBe('"a.txt" already exists');
      expect((await refused(files, patch('*** Add File: dir', '+new'))).problems[0]!.message).toBe('"dir" is a directory');
      expect((await refused(files, patch('*** Add File: a.txt/b', '+new'))).problems[0]!.message).toBe('cannot create "a.txt/b": "a.txt" is a file');
      expect((await refused(files, patch('*** Update File: dir/x', '*** Move to: a.txt'))).problems[0]).toMatchObject({ patchLine: 3, message: '"a.txt" already exists' });
    });

    it('refuses a patch that creates a file and another file inside it', async () => {
      const error = await refused({}, patch('*** Add File: a', '+x', '*** Add File: a/b', '+y'));
      expect(error.problems[0]).toMatchObject({ path: 'a/b', patchLine: 4, message: 'cannot create "a/b": the patch also creates "a" as a file' });
    });

    it('refuses to delete or update a missing file or a directory', async () => {
      expect((await refused({}, patch('*** Delete File: gone.txt'))).problems[0]).toEqual({ path: 'gone.txt', hunk: null, patchLine: 2, message: 'no file "gone.txt"' });
      expect((await refused({ 'd/f': '' }, patch('*** Update File: d', '@@', '+x'))).problems[0]!.message).toBe('"d" is a directory, not a file');
    });

    it('reports missing context precisely: file, hunk, patch line, the line not found and where it looked', async () => {
      const file = lines('alpha', 'beta', 'gamma', 'delta', '');
      const error = await refused(
        { 'src/g.txt': file },
        patch('*** Update File: src/g.txt', '@@', '-alpha', '+ALPHA', '@@', ' gamma', '-epsilon', '+EPSILON'),
      );
      expect(error.problems).toEqual([
        {
          path: 'src/g.txt',
          hunk: 2,
          patchLine: 8,
          message: 'could not find the line to remove "epsilon": the 1 line before it match at file line 3, but then file line 4 is "delta" (searched lines 2–4 of the file)',
        },
      ]);
      expect(error.message).toBe(
        'the patch cannot be applied, nothing was changed:\n- src/g.txt, hunk 2 (patch line 8): could not find the line to remove "epsilon": the 1 line before it match at file line 3, but then file line 4 is "delta" (searched lines 2–4 of the file)',
      );
    });

    it('names a first context line that is nowhere, and a header that is nowhere', async () => {
      const file = lines('one', 'two', '');
      const nowhere = await refused({ f: file }, patch('*** Update File: f', '@@', ' zero', '-one'));
      expect(nowhere.problems[0]).toEqual({ path: 'f', hunk: 1, patchLine: 4, message: 'could not find the context line "zero" (searched lines 1–2 of the file)' });
      const header = await refused({ f: file }, patch('*** Update File: f', '@@ three', '-one'));
      expect(header.problems[0]).toEqual({ path: 'f', hunk: 1, patchLine: 3, message: 'could not find the line named by "@@ three" (searched lines 1–2 of the file)' });
      // Context above the previous hunk is not searched again.
      const behind = await refused({ f: file }, patch('*** Update File: f', '@@', '-two', '+2', '@@', '-one'));
      expect(behind.problems[0]).toMatchObject({ hunk: 2, patchLine: 7, message: 'could not find the line to remove "one" (nothing left to search after line 2 of 2)' });
    });

    it('says when an End of File hunk matches, but not at the end', async () => {
      const error = await refused({ f: lines('a', 'b', '') }, patch('*** Update File: f', '@@', '-a', '*** End of File'));
      expect(error.problems[0]).toMatchObject({ hunk: 1, patchLine: 3, message: 'its lines are at file line 1, not at the end of the file as "*** End of File" says' });
    });

    it('writes nothing when file 1 would apply but file 2 would not, and lists every problem', async () => {
      const error = await refused(
        { 'one.txt': 'fine\n', 'two.txt': 'real\n' },
        patch('*** Update File: one.txt', '@@', '-fine', '+changed', '*** Update File: two.txt', '@@', '-imagined', '+x', '*** Delete File: three.txt'),
      );
      expect(error.problems.map((p) => [p.path, p.patchLine])).toEqual([
        ['two.txt', 8],
        ['three.txt', 10],
      ]);
    });

    it('applies a huge hunk, and finds the one wrong line deep inside one', async () => {
      const count = 20_000;
      const original = Array.from({ length: count }, (_, i) => `line ${i}`);
      const body = original.slice(5_000, 15_000);
      const started = Date.now();
      const { after } = await apply(
        { big: `${original.join('\n')}\n` },
        patch('*** Update File: big', '@@', ...body.map((l) => `-${l}`), ...body.map((l) => `+${l.toUpperCase()}`)),
      );
      const expected = [...original.slice(0, 5_000), ...body.map((l) => l.toUpperCase()), ...original.slice(15_000)];
      expect(after['big']).toBe(`${expected.join('\n')}\n`);

      const wrong = body.map((l, i) => (i === 7_777 ? ' not the line' : ` ${l}`));
      const error = await refused({ big: `${original.join('\n')}\n` }, patch('*** Update File: big', '@@', ...wrong, '+end'));
      expect(error.problems[0]).toMatchObject({ hunk: 1, patchLine: 4 + 7_777, message: expect.stringContaining('could not find the context line "not the line": the 7777 lines before it match at file line 5001') });
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('rejects an empty hunk and a missing End Patch before reading anything', () => {
      expect(() => parsePatch(lines('*** Begin Patch', '*** Update File: f', '@@', '*** End Patch'))).toThrow(PatchParseError);
      expect(() => parsePatch(lines('*** Begin Patch', '*** Add File: f', '+x'))).toThrow(/patch line 4: expected another operation or '\*\*\* End Patch', found end of patch text/);
    });
  });

  describe('applyPlan', () => {
    const files = { 'a.txt': 'a\n', 'c.txt': 'c\n', 'm.txt': 'm\n' };
    const mixed = patch('*** Update File: a.txt', '@@', '-a', '+A', '*** Add File: b/new.txt', '+b', '*** Update File: m.txt', '*** Move to: moved/m.txt', '*** Delete File: c.txt');

    /** A memory workspace whose writes and removals fail when `fail` says so. `calls` counts every
     *  writeText/remove, forward and rollback alike. */
    function faulty(fail: (action: 'write' | 'remove', path: string, call: number) => boolean, options: { leaveEmptyFile?: boolean } = {}) {
      const base = createMemoryWorkspace('w', files);
      let calls = 0;
      const workspace: Workspace = {
        ...base,
        async writeText(path, text) {
          if (fail('write', path, ++calls)) {
            // OPFS creates the file before writing to it: a failed add can leave an empty file.
            if (options.leaveEmptyFile && (await base.exists(path)) === null) await base.writeText(path, '');
            throw new Error('disk full');
          }
          return base.writeText(path, text);
        },
        async remove(path) {
          if (fail('remove', path, ++calls)) throw new Error('locked');
          return base.remove(path);
        },
      };
      return { base, workspace };
    }

    it('writes before it removes', async () => {
      const order: string[] = [];
      const base = createMemoryWorkspace('w', files);
      const spy: Workspace = {
        ...base,
        writeText: (p, t) => (order.push(`write ${p}`), base.writeText(p, t)),
        remove: (p) => (order.push(`remove ${p}`), base.remove(p)),
      };
      const result = await applyPlan(await planPatch(parsePatch(mixed), spy), spy);
      expect(result.status).toBe('applied');
      expect(order).toEqual(['write a.txt', 'write b/new.txt', 'write moved/m.txt', 'remove m.txt', 'remove c.txt']);
    });

    it('rolls back the files already written when a write fails midway', async () => {
      const { base, workspace } = faulty((action, path) => action === 'write' && path === 'moved/m.txt', { leaveEmptyFile: true });
      const before = await snapshot(base);
      const result = await applyPlan(await planPatch(parsePatch(mixed), workspace), workspace);
      expect(result).toEqual({ status: 'rolled-back', message: 'could not write "moved/m.txt": disk full; every file was put back, nothing was changed' });
      expect(await snapshot(base)).toEqual(before);
    });

    it('rolls back writes and earlier removals when a removal fails', async () => {
      const { base, workspace } = faulty((action, path) => action === 'remove' && path === 'c.txt');
      const before = await snapshot(base);
      const result = await applyPlan(await planPatch(parsePatch(mixed), workspace), workspace);
      expect(result.status).toBe('rolled-back');
      expect(result.status === 'rolled-back' && result.message).toMatch(/^could not remove "c.txt": locked;/);
      expect(await snapshot(base)).toEqual(before);
    });

    it('says which files may be left changed when putting them back fails too', async () => {
      // b/new.txt is written, then moved/m.txt fails; removing b/new.txt during rollback fails.
      const { base, workspace } = faulty((action, path) => (action === 'write' && path === 'moved/m.txt') || (action === 'remove' && path === 'b/new.txt'));
      const result = await applyPlan(await planPatch(parsePatch(mixed), workspace), workspace);
      expect(result).toEqual({
        status: 'partial',
        message: 'could not write "moved/m.txt": disk full; putting files back failed for "b/new.txt" (locked): they may be left changed',
        unrestored: ['b/new.txt'],
      });
      expect(await snapshot(base)).toEqual({ ...files, 'b/new.txt': 'b\n' });
    });

    it('writes nothing when a file changed after planning', async () => {
      const workspace = createMemoryWorkspace('w', files);
      const plan: PatchPlan = await planPatch(parsePatch(mixed), workspace);
      await workspace.writeText('a.txt', 'edited meanwhile\n');
      await workspace.writeText('b/new.txt', 'someone else\n');
      const before = await snapshot(workspace);
      const result = await applyPlan(plan, workspace);
      expect(result).toEqual({ status: 'stale', message: 'changed since the patch was checked, nothing was changed: "a.txt", "b/new.txt"' });
      expect(await snapshot(workspace)).toEqual(before);
    });

    it('summarises a plan git-style', async () => {
      const workspace = createMemoryWorkspace('w', files);
      expect(summarizePlan(await planPatch(parsePatch(mixed), workspace))).toBe(lines('M a.txt', 'A b/new.txt', 'M moved/m.txt (moved from m.txt)', 'D c.txt'));
    });
  });
});

describe('planPatch over a failing store', () => {
  it('reports a storage error as a problem of that file', async () => {
    const base = createMemoryWorkspace('w', { 'a.txt': 'a\n' });
    const broken: Workspace = { ...base, exists: async () => Promise.reject(new Error('permission revoked')) };
    const error = await planPatch(parsePatch(patch('*** Delete File: a.txt')), broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PatchPlanError);
    expect((error as PatchPlanError).problems).toEqual([{ path: 'a.txt', hunk: null, patchLine: 2, message: 'permission revoked' }]);
  });
});

// A revert on a real directory tree (the File System Access handles, faked in memory): files the
// turn added go, and so do the folders that leaves empty; folders with other files stay.
import { describe, expect, it } from 'vitest';
import { applyRevert, planRevert, type RecordedChangeSet } from '../src/core/turnChanges.ts';
import { createOpfsWorkspace } from './opfsWorkspace.ts';
import { asHandle, FakeDir } from './testing/fakeFileSystem.ts';

const set = (changes: RecordedChangeSet['changes']): RecordedChangeSet => ({ callId: 'c1', tool: 'apply_patch', workspaceId: 'w', changes });

describe('revert over directory handles', () => {
  it('removes the files a turn added and the folders that leaves empty, and restores the rest', async () => {
    const root = new FakeDir();
    root.put('README.md', 'after');
    root.put('calc/src/sum.js', 'sum');
    root.put('calc/test/sum.test.js', 'test');
    root.put('keep/old.txt', 'old');
    root.put('keep/new.txt', 'new');
    const workspace = createOpfsWorkspace('w', asHandle(root));
    const sets = [
      set([
        { path: 'README.md', kind: 'update', before: 'before', after: 'after', diff: '' },
        { path: 'calc/src/sum.js', kind: 'add', before: null, after: 'sum', diff: '' },
        { path: 'calc/test/sum.test.js', kind: 'add', before: null, after: 'test', diff: '' },
        { path: 'keep/new.txt', kind: 'add', before: null, after: 'new', diff: '' },
      ]),
    ];
    const plan = await planRevert(sets, workspace);
    if (!plan.ok) throw new Error(plan.conflicts.join());
    expect(await applyRevert(plan, workspace)).toBe(4);
    expect([...root.children.keys()].sort()).toEqual(['README.md', 'keep']);
    expect(await workspace.readText('README.md')).toBe('before');
    expect((await workspace.list('', 5)).map((e) => e.path)).toEqual(['keep', 'keep/old.txt', 'README.md'].sort((a, b) => a.localeCompare(b)));
  });

  it('a move is undone: the file is back at its old path with its old text', async () => {
    const root = new FakeDir();
    root.put('docs/README.md', 'moved and edited');
    const workspace = createOpfsWorkspace('w', asHandle(root));
    const plan = await planRevert([set([{ path: 'docs/README.md', from: 'README.md', kind: 'move', before: 'original', after: 'moved and edited', diff: '' }])], workspace);
    if (!plan.ok) throw new Error(plan.conflicts.join());
    await applyRevert(plan, workspace);
    expect(await workspace.readText('README.md')).toBe('original');
    expect(await workspace.exists('docs')).toBe(null);
  });
});

import { describe, expect, it } from 'vitest';
import { formatBytes, MAX_IMPORT_BYTES, MAX_IMPORT_FILES, planWorkspaceImport } from './workspaceImport.ts';

const file = (name: string, size = 10, webkitRelativePath = '') => ({ name, size, webkitRelativePath });

describe('planWorkspaceImport', () => {
  it('puts single files at the root by name', () => {
    const plan = planWorkspaceImport([file('a.txt', 3), file('b.md', 4)]);
    expect(plan.files.map((f) => f.path)).toEqual(['a.txt', 'b.md']);
    expect(plan.totalBytes).toBe(7);
    expect(plan.skipped).toEqual([]);
  });

  it('keeps a folder import’s relative paths, top folder included', () => {
    const plan = planWorkspaceImport([file('a.js', 1, 'project/src/a.js'), file('README.md', 1, 'project/README.md')]);
    expect(plan.files.map((f) => f.path)).toEqual(['project/src/a.js', 'project/README.md']);
    expect(plan.files[0]!.source.name).toBe('a.js');
  });

  it('imports under a folder when asked, and normalises separators', () => {
    const plan = planWorkspaceImport([file('x', 1, 'dir\\sub\\x'), file('y', 1, './dir//y')], 'in/here/');
    expect(plan.files.map((f) => f.path)).toEqual(['in/here/dir/sub/x', 'in/here/dir/y']);
  });

  it('skips paths that would leave the workspace or have no name, and says why', () => {
    const plan = planWorkspaceImport([file('evil', 1, '../../evil'), file('', 1), file('ok.txt', 1)]);
    expect(plan.files.map((f) => f.path)).toEqual(['ok.txt']);
    expect(plan.skipped).toEqual([
      { name: '../../evil', reason: 'path "../../evil" is outside the workspace' },
      { name: '', reason: 'it has no file name' },
    ]);
  });

  it('lets the last of two files with the same path win', () => {
    const first = file('a.txt', 1, 'one/a.txt');
    const second = file('a.txt', 2, 'one/a.txt');
    const plan = planWorkspaceImport([first, second]);
    expect(plan.files).toEqual([{ path: 'one/a.txt', source: second }]);
    expect(plan.totalBytes).toBe(2);
  });

  it('refuses an import over the size cap, with the numbers and what to do', () => {
    expect(() => planWorkspaceImport([file('big', 60), file('bigger', 50)], '', { maxBytes: 100, maxFiles: 10 })).toThrow(
      'Not imported: these 2 files total 110 B, and one import takes at most 10 files and 100 B. Choose fewer files, or a folder without dependencies and build output (such as node_modules or .git).',
    );
    expect(planWorkspaceImport([file('exact', 100)], '', { maxBytes: 100, maxFiles: 10 }).files).toHaveLength(1);
  });

  it('refuses an import over the file-count cap', () => {
    const many = Array.from({ length: 4 }, (_, i) => file(`f${i}`, 0));
    expect(() => planWorkspaceImport(many, '', { maxBytes: 100, maxFiles: 3 })).toThrow('these 4 files total 0 B');
  });

  it('has generous defaults', () => {
    expect(MAX_IMPORT_BYTES).toBe(100 * 1024 * 1024);
    expect(MAX_IMPORT_FILES).toBe(5_000);
    expect(() => planWorkspaceImport([file('huge', MAX_IMPORT_BYTES + 1)])).toThrow('at most 5,000 files and 100 MB');
  });
});

describe('formatBytes', () => {
  it('uses B, KB and MB with sensible precision', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(200 * 1024)).toBe('200 KB');
    expect(formatBytes(3.25 * 1024 * 1024)).toBe('3.3 MB');
    expect(formatBytes(150 * 1024 * 1024)).toBe('150 MB');
  });
});

import { describe, expect, it } from 'vitest';
import { LIST_FILES_MAX_ENTRIES } from './listFiles.ts';
import { contextWith, prepared, rejection, run } from './toolHarness.ts';

const context = contextWith({ 'README.md': 'hello\nworld', 'src/a.ts': 'export {}', 'src/deep/b.ts': 'b', 'src/deep/deeper/c.ts': 'c' });
const lines = async (args: unknown) => (await run(context, 'list_files', args)).output.split('\n');

describe('list_files', () => {
  it('lists depth-first to three levels by default, with sizes and directory slashes', async () => {
    expect(await lines({})).toEqual(['README.md (11 bytes)', 'src/', 'src/a.ts (9 bytes)', 'src/deep/', 'src/deep/b.ts (1 bytes)', 'src/deep/deeper/']);
  });

  it('lists a subdirectory to the requested depth, clamping depths out of range', async () => {
    expect(await lines({ path: 'src', depth: 1 })).toEqual(['src/a.ts (9 bytes)', 'src/deep/']);
    expect(await lines({ path: 'src', depth: '1' })).toEqual(['src/a.ts (9 bytes)', 'src/deep/']);
    expect(await lines({ path: 'src/deep', depth: 0 })).toEqual(['src/deep/b.ts (1 bytes)', 'src/deep/deeper/']);
    expect(await lines({ path: 'src', depth: 99 })).toContain('src/deep/deeper/c.ts (1 bytes)');
  });

  it('says when the workspace or a directory is empty, or not a directory', async () => {
    expect((await run(contextWith({}), 'list_files', {})).output).toBe('The workspace is empty.');
    expect((await run(context, 'list_files', { path: 'nope' })).output).toBe('Error: list_files failed: no directory "nope"');
    expect((await run(context, 'list_files', { path: 'README.md' })).output).toBe('Error: list_files failed: "README.md" is a file, not a directory');
    expect(await rejection(context, 'list_files', { depth: 2.5 })).toBe('Error: list_files failed: argument "depth" must be an integer');
  });

  it(`shows at most ${LIST_FILES_MAX_ENTRIES} entries and says how many more there are`, async () => {
    const many = contextWith(Object.fromEntries(Array.from({ length: 620 }, (_, i) => [`f${String(i).padStart(3, '0')}.txt`, ''])));
    const out = (await run(many, 'list_files', {})).output.split('\n');
    expect(out).toHaveLength(LIST_FILES_MAX_ENTRIES + 1);
    expect(out.at(-1)).toBe('[list cut: 120 more entries; list a subdirectory or use a smaller depth]');
  });

  it('is a read: no approval, no changes', async () => {
    const call = await prepared(context, 'list_files', { path: 'src' });
    expect(call).toMatchObject({ access: 'read', summary: 'list_files: src, depth 3' });
    expect((await call.run()).changes).toEqual([]);
  });
});

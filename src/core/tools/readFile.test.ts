import { describe, expect, it } from 'vitest';
import { READ_FILE_DEFAULT_LIMIT, READ_FILE_MAX_LINE_CHARS } from './readFile.ts';
import { contextWith, prepared, rejection, run } from './toolHarness.ts';
import { TOOL_OUTPUT_MAX_CHARS } from './toolOutput.ts';

const numbered = (count: number) => Array.from({ length: count }, (_, i) => `line ${i + 1}`).join('\n');
const read = async (files: Record<string, string>, args: Record<string, unknown>) => (await run(contextWith(files), 'read_file', args)).output;

describe('read_file', () => {
  it('numbers lines; a final newline ends the last line rather than adding an empty one', async () => {
    expect(await read({ 'a.txt': 'hello\nworld' }, { path: 'a.txt' })).toBe('1\thello\n2\tworld');
    expect(await read({ 'a.txt': 'hello\nworld\n' }, { path: 'a.txt' })).toBe('1\thello\n2\tworld');
    expect(await read({ 'a.txt': 'one\n\n' }, { path: 'a.txt' })).toBe('1\tone\n2\t');
  });

  it('reads CRLF files without carriage returns in the output, and keeps a lone CR', async () => {
    expect(await read({ 'w.txt': 'a\r\nb\r\n' }, { path: 'w.txt' })).toBe('1\ta\n2\tb');
    expect(await read({ 'm.txt': 'a\r\nb\nc\rd' }, { path: 'm.txt' })).toBe('1\ta\n2\tb\n3\tc\rd');
  });

  it('reads a window from a 1-based offset, padding numbers to the widest shown', async () => {
    const files = { 'n.txt': numbered(120) };
    expect(await read(files, { path: 'n.txt', offset: 98, limit: 3 })).toBe(' 98\tline 98\n 99\tline 99\n100\tline 100\n[20 more lines (lines 101–120) not shown: the limit of 3 lines was reached; call read_file with offset 101 to read on]');
    expect(await read(files, { path: 'n.txt', offset: 119 })).toBe('119\tline 119\n120\tline 120');
    expect(await read(files, { path: 'n.txt', offset: 121 })).toBe('"n.txt" has 120 lines; offset 121 is past its end.');
  });

  it(`shows ${READ_FILE_DEFAULT_LIMIT} lines by default and says where to continue`, async () => {
    const out = (await read({ 'big.txt': numbered(2500) }, { path: 'big.txt' })).split('\n');
    expect(out).toHaveLength(READ_FILE_DEFAULT_LIMIT + 1);
    expect(out[READ_FILE_DEFAULT_LIMIT - 1]).toBe('2000\tline 2000');
    expect(out.at(-1)).toBe('[500 more lines (lines 2001–2500) not shown: the limit of 2000 lines was reached; call read_file with offset 2001 to read on]');
  });

  it('cuts very long lines, and stops whole lines short of the output cap with a note', async () => {
    const long = 'x'.repeat(READ_FILE_MAX_LINE_CHARS + 500);
    expect(await read({ 'min.js': long }, { path: 'min.js' })).toBe(`1\t${'x'.repeat(READ_FILE_MAX_LINE_CHARS)}… [line cut: 500 more characters]`);
    const wide = Array.from({ length: 100 }, () => 'y'.repeat(1000)).join('\n');
    const out = await read({ 'wide.txt': wide }, { path: 'wide.txt' });
    expect(out.length).toBeLessThanOrEqual(TOOL_OUTPUT_MAX_CHARS);
    expect(out).not.toMatch(/output cut/); // whole lines, then the note: nothing cut mid-line
    expect(out).toMatch(/\n\[69 more lines \(lines 32–100\) not shown: the output limit was reached; call read_file with offset 32 to read on\]$/);
  });

  it('says when a file is empty, binary, missing or a directory', async () => {
    const files = { 'empty.txt': '', 'img.png': '\x89PNG\r\n\x1a\n\0\0\0', 'dir/f': '' };
    expect(await read(files, { path: 'empty.txt' })).toBe('"empty.txt" is empty.');
    expect(await read(files, { path: 'img.png' })).toBe('"img.png" looks like a binary file (it contains NUL characters); read_file shows text files only.');
    expect(await read(files, { path: 'nope.txt' })).toBe('Error: read_file failed: no file "nope.txt"');
    expect(await read(files, { path: 'dir' })).toBe('Error: read_file failed: "dir" is a directory');
    expect(await rejection(contextWith(files), 'read_file', { path: '/' })).toBe('Error: read_file failed: argument "path" names the workspace root, not a file');
  });

  it('clamps offset and limit into range', async () => {
    expect(await read({ 'a.txt': 'a\nb\nc' }, { path: 'a.txt', offset: 0, limit: 0 })).toBe('1\ta\n[2 more lines (lines 2–3) not shown: the limit of 1 line was reached; call read_file with offset 2 to read on]');
  });

  it('reads at run time, not at prepare time', async () => {
    const context = contextWith({ 'a.txt': 'before' });
    const call = await prepared(context, 'read_file', { path: 'a.txt', offset: 1 });
    expect(call).toMatchObject({ access: 'read', summary: 'read_file: a.txt' });
    await context.workspace.writeText('a.txt', 'after');
    expect((await call.run()).output).toBe('1\tafter');
  });
});

import { describe, expect, it } from 'vitest';
import { GREP_MAX_FILE_BYTES, GREP_MAX_FILES, GREP_MAX_LINE_CHARS, GREP_MAX_MATCHES } from './grep.ts';
import { contextWith, prepared, rejection, run } from './toolHarness.ts';
import { TOOL_OUTPUT_MAX_CHARS } from './toolOutput.ts';

const files = {
  'README.md': 'Switchboard\nTODO: docs\n',
  'src/a.ts': 'export function load() {\n  // TODO: cache\n  return 1;\n}\n',
  'src/b.js': 'const todo = 1;\r\n// TODO crlf\r\n',
  'src/deep/c.ts': 'TODO deep',
  'node_modules/lib/index.js': 'TODO vendored\n',
  '.git/config': 'TODO git\n',
};
const grep = async (args: Record<string, unknown>, workspaceFiles: Record<string, string> = files) => (await run(contextWith(workspaceFiles), 'grep', args)).output;

describe('grep', () => {
  it('prints "path:line: text" for every matching line, in path order', async () => {
    expect(await grep({ pattern: 'TODO' })).toBe(
      [
        'README.md:2: TODO: docs',
        'src/a.ts:2:   // TODO: cache',
        'src/b.js:2: // TODO crlf',
        'src/deep/c.ts:1: TODO deep',
        '[not searched: 2 files in .git/node_modules directories; set "path" inside one to search it]',
      ].join('\n'),
    );
  });

  it('takes an RE2 regex, Unicode-aware, case-insensitive on request', async () => {
    expect(await grep({ pattern: 'function\\s+\\w+\\(', path: 'src' })).toBe('src/a.ts:1: export function load() {');
    expect(await grep({ pattern: '^todo', ignore_case: true, path: 'src' })).toBe('src/deep/c.ts:1: TODO deep');
    expect(await grep({ pattern: '\\p{Lu}{5}', path: 'README.md' })).toBe('No matches for /\\p{Lu}{5}/ in "README.md".');
    expect(await grep({ pattern: 'a\\-b' }, { 'x.txt': 'a-b' })).toBe('x.txt:1: a-b');
  });

  it('matches in time linear in the line: a pathological pattern cannot freeze the broker', async () => {
    const line = `${'a'.repeat(200_000)}!`;
    const started = Date.now();
    expect(await grep({ pattern: '(a+)+$' }, { 'x.txt': line })).toBe('No matches for /(a+)+$/ in 1 file.');
    // A backtracking engine takes longer than the age of the universe here; RE2 a few ms.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('searches one file, or the files under a directory, filtered by a glob', async () => {
    expect(await grep({ pattern: 'TODO', path: 'src/a.ts' })).toBe('src/a.ts:2:   // TODO: cache');
    expect(await grep({ pattern: 'TODO', glob: '*.ts' })).toBe('src/a.ts:2:   // TODO: cache\nsrc/deep/c.ts:1: TODO deep');
    expect(await grep({ pattern: 'TODO', glob: 'src/**/*.{js,ts}' })).toMatch(/^src\/a\.ts:2:.*\nsrc\/b\.js:2:.*\nsrc\/deep\/c\.ts:1:[^\n]*$/);
    // A path glob may also be written from "path".
    expect(await grep({ pattern: 'TODO', path: 'src', glob: 'deep/*' })).toBe('src/deep/c.ts:1: TODO deep');
    expect(await grep({ pattern: 'TODO', path: 'node_modules' })).toBe('node_modules/lib/index.js:1: TODO vendored');
  });

  it('says when nothing matched, and where it looked', async () => {
    expect(await grep({ pattern: 'absent', path: 'src' })).toBe('No matches for /absent/ in 3 files.');
    expect(await grep({ pattern: 'TODO', glob: '*.py' })).toBe('No matches for /TODO/ in 0 files matching the glob.');
    expect(await grep({ pattern: 'x', path: 'missing' })).toBe('No file or directory "missing".');
    expect(await grep({ pattern: '^$' }, { 'empty.txt': '' })).toBe('No matches for /^$/ in 1 file.');
  });

  it('refuses an invalid regex or glob before searching', async () => {
    const context = contextWith(files);
    expect(await rejection(context, 'grep', { pattern: '(unclosed' })).toBe('Error: grep failed: invalid regular expression /(unclosed/: missing closing ): `(unclosed` (RE2 syntax: no backreferences or lookaround)');
    expect(await rejection(context, 'grep', { pattern: '(a)\\1' })).toMatch(/invalid regular expression .*RE2 syntax/);
    expect(await rejection(context, 'grep', { pattern: 'x', glob: '*.{ts' })).toBe('Error: grep failed: invalid glob "*.{ts": a "{" without its "}"');
    expect(await rejection(context, 'grep', { path: 'src' })).toBe('Error: grep failed: missing required argument "pattern"');
  });

  it('skips binary and huge files, and names them', async () => {
    const out = await grep({ pattern: 'needle' }, { 'a.bin': 'needle\0\0', 'big.txt': `needle\n${'x'.repeat(GREP_MAX_FILE_BYTES)}`, 'ok.txt': 'needle' });
    expect(out).toBe('ok.txt:1: needle\n[skipped 1 binary file: a.bin]\n[skipped 1 file over 1 MiB: big.txt]');
  });

  it(`stops at ${GREP_MAX_MATCHES} matches, and says so only when more exist`, async () => {
    const exactly = Array.from({ length: GREP_MAX_MATCHES }, () => 'hit').join('\n');
    expect((await grep({ pattern: 'hit' }, { 'a.txt': exactly })).split('\n')).toHaveLength(GREP_MAX_MATCHES);
    const out = (await grep({ pattern: 'hit' }, { 'a.txt': exactly, 'b.txt': 'hit' })).split('\n');
    expect(out).toHaveLength(GREP_MAX_MATCHES + 1);
    expect(out.at(-1)).toBe(`[match limit reached: showing the first ${GREP_MAX_MATCHES} matches; narrow the pattern, path or glob to see others]`);
  });

  it('cuts long matching lines, and stops short of the output cap', async () => {
    const line = `hit ${'z'.repeat(5000)}`;
    const one = await grep({ pattern: 'hit' }, { 'min.js': line });
    expect(one).toBe(`min.js:1: ${line.slice(0, GREP_MAX_LINE_CHARS)}… [line cut: ${line.length - GREP_MAX_LINE_CHARS} more characters]`);
    const many = await grep({ pattern: 'hit' }, { 'min.js': Array.from({ length: 150 }, () => line).join('\n') });
    expect(many.length).toBeLessThanOrEqual(TOOL_OUTPUT_MAX_CHARS);
    expect(many).toMatch(/\n\[output limit reached after \d+ matches; narrow the pattern, path or glob to see others\]$/);
  });

  it(`reads at most ${GREP_MAX_FILES} files and says how many were left`, async () => {
    const lots = Object.fromEntries(Array.from({ length: GREP_MAX_FILES + 7 }, (_, i) => [`f/${String(i).padStart(5, '0')}.txt`, 'nothing']));
    expect(await grep({ pattern: 'needle' }, lots)).toBe(
      `No matches for /needle/ in ${GREP_MAX_FILES} files.\n[file limit reached: searched the first ${GREP_MAX_FILES} of ${GREP_MAX_FILES + 7} files; narrow the path or glob to search the rest]`,
    );
  });

  it('is a read, summarised with its pattern and scope', async () => {
    const call = await prepared(contextWith(files), 'grep', { pattern: 'TODO', path: 'src', glob: '*.ts', ignore_case: true });
    expect(call).toMatchObject({ access: 'read', summary: 'grep: /TODO/ in src (*.ts)', detail: '/TODO/i in src (*.ts)' });
  });
});

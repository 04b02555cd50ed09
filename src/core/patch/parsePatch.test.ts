import { describe, expect, it } from 'vitest';
import { PatchParseError, parsePatch, type Patch } from './parsePatch.ts';

const patch = (...lines: string[]) => lines.join('\n');

/** The PatchParseError `text` throws (fails the test if it parses). */
function parseError(text: string): PatchParseError {
  try {
    parsePatch(text);
  } catch (error) {
    if (error instanceof PatchParseError) return error;
    throw error;
  }
  throw new Error('expected a PatchParseError');
}

const EVERY_DIRECTIVE = patch(
  '*** Begin Patch', //                       1
  '*** Add File: docs/new.md', //             2
  '+# New', //                                3
  '+', //                                     4
  '+text', //                                 5
  '*** Delete File: old.txt', //              6
  '*** Update File: src/a.ts', //             7
  '*** Move to: src/b.ts', //                 8
  '@@ function f() {', //                     9
  ' const x = 1;', //                         10
  '-return x;', //                            11
  '+return x + 1;', //                        12
  '@@', //                                    13
  ' last', //                                 14
  '+appended', //                             15
  '*** End of File', //                       16
  '*** End Patch', //                         17
);

const EVERY_DIRECTIVE_AST: Patch = {
  operations: [
    { kind: 'add', path: 'docs/new.md', lines: ['# New', '', 'text'], line: 2 },
    { kind: 'delete', path: 'old.txt', line: 6 },
    {
      kind: 'update',
      path: 'src/a.ts',
      moveTo: { path: 'src/b.ts', line: 8 },
      line: 7,
      hunks: [
        {
          header: 'function f() {',
          endOfFile: false,
          line: 9,
          lines: [
            { kind: 'context', text: 'const x = 1;', line: 10 },
            { kind: 'remove', text: 'return x;', line: 11 },
            { kind: 'add', text: 'return x + 1;', line: 12 },
          ],
        },
        {
          header: null,
          endOfFile: true,
          line: 13,
          lines: [
            { kind: 'context', text: 'last', line: 14 },
            { kind: 'add', text: 'appended', line: 15 },
          ],
        },
      ],
    },
  ],
};

describe('parsePatch', () => {
  it('parses every directive into the AST, with patch line numbers', () => {
    expect(parsePatch(EVERY_DIRECTIVE)).toEqual(EVERY_DIRECTIVE_AST);
  });

  it('accepts a trailing newline, CRLF line endings and blank lines around the patch', () => {
    expect(parsePatch(`${EVERY_DIRECTIVE}\n`)).toEqual(EVERY_DIRECTIVE_AST);
    expect(parsePatch(`${EVERY_DIRECTIVE.replace(/\n/g, '\r\n')}\r\n`)).toEqual(EVERY_DIRECTIVE_AST);
    const padded = parsePatch(`\n  \n${EVERY_DIRECTIVE}\n\n \n`);
    // Two leading lines shift every line number by two.
    expect(padded.operations[0]).toMatchObject({ kind: 'add', line: 4 });
  });

  it('forgives trailing whitespace on directives and keeps hunk text exactly', () => {
    const parsed = parsePatch(patch('*** Begin Patch  ', '*** Update File: a.txt  ', '@@ def f():  ', '-  x = 1  ', '+  x = 2\t', '*** End Patch '));
    expect(parsed.operations[0]).toMatchObject({
      path: 'a.txt',
      hunks: [{ header: 'def f():', lines: [{ text: '  x = 1  ' }, { text: '  x = 2\t' }] }],
    });
  });

  it('keeps the indentation of an @@ header', () => {
    const parsed = parsePatch(patch('*** Begin Patch', '*** Update File: a.py', '@@     def f(self):', '-x', '+y', '*** End Patch'));
    expect(parsed.operations[0]).toMatchObject({ hunks: [{ header: '    def f(self):' }] });
  });

  it('takes an empty line inside a hunk for an empty context line, but not at its end', () => {
    const parsed = parsePatch(patch('*** Begin Patch', '*** Update File: a', '@@', ' a', '', '-b', '', '@@', '-c', '', '*** End Patch'));
    expect(parsed.operations[0]).toMatchObject({
      hunks: [
        { lines: [{ kind: 'context', text: 'a' }, { kind: 'context', text: '' }, { kind: 'remove', text: 'b' }] },
        { lines: [{ kind: 'remove', text: 'c' }] },
      ],
    });
  });

  it('allows an empty added file and a move without hunks', () => {
    const parsed = parsePatch(patch('*** Begin Patch', '*** Add File: empty.txt', '*** Update File: a', '*** Move to: b', '*** End Patch'));
    expect(parsed.operations).toEqual([
      { kind: 'add', path: 'empty.txt', lines: [], line: 2 },
      { kind: 'update', path: 'a', moveTo: { path: 'b', line: 4 }, hunks: [], line: 3 },
    ]);
  });

  it('allows blank lines between operations', () => {
    const parsed = parsePatch(patch('*** Begin Patch', '*** Delete File: a', '', '*** Delete File: b', '*** End Patch'));
    expect(parsed.operations.map((op) => op.line)).toEqual([2, 4]);
  });

  describe('errors name the line, what was expected and what was found', () => {
    const cases: [name: string, text: string, line: number, expected: RegExp, found: RegExp][] = [
      ['empty text', '', 1, /Begin Patch/, /empty patch/],
      ['whitespace only', ' \n\n', 1, /Begin Patch/, /empty patch/],
      ['text before Begin', patch('here is the patch:', '*** Begin Patch', '*** Delete File: a', '*** End Patch'), 1, /Begin Patch/, /here is the patch/],
      ['a heredoc wrapper', patch("<<'EOF'", '*** Begin Patch', '*** Delete File: a', '*** End Patch', 'EOF'), 1, /Begin Patch/, /EOF/],
      ['missing End Patch', patch('*** Begin Patch', '*** Delete File: a'), 3, /End Patch/, /end of patch text/],
      ['missing End Patch after a trailing newline', `${patch('*** Begin Patch', '*** Add File: a', '+x')}\n`, 4, /End Patch/, /end of patch text/],
      ['text after End Patch', patch('*** Begin Patch', '*** Delete File: a', '*** End Patch', 'thanks!'), 4, /nothing after/, /thanks/],
      ['no operations', patch('*** Begin Patch', '*** End Patch'), 2, /at least one file operation/, /End Patch/],
      ['an unknown directive', patch('*** Begin Patch', '*** Rename File: a', '*** End Patch'), 2, /Add File/, /unknown directive "\*\*\* Rename File: a"/],
      ['a second Begin', patch('*** Begin Patch', '*** Begin Patch', '*** End Patch'), 2, /Add File/, /second/],
      ['Move to without Update', patch('*** Begin Patch', '*** Delete File: a', '*** Move to: b', '*** End Patch'), 3, /must directly follow/, /Move to: b/],
      ['End of File outside a hunk', patch('*** Begin Patch', '*** Delete File: a', '*** End of File', '*** End Patch'), 3, /may only end a hunk/, /End of File/],
      ['a stray line between operations', patch('*** Begin Patch', '*** Delete File: a', 'oops', '*** End Patch'), 3, /Add File/, /oops/],
      ['an Add line without +', patch('*** Begin Patch', '*** Add File: a', '+one', 'two', '*** End Patch'), 4, /starting with '\+'/, /two/],
      ['an Add path missing', patch('*** Begin Patch', '*** Add File:', '+x', '*** End Patch'), 2, /a path after '\*\*\* Add File:'/, /Add File/],
      ['a Delete path missing', patch('*** Begin Patch', '*** Delete File:   ', '*** End Patch'), 2, /a path/, /Delete File/],
      ['an Update without hunks', patch('*** Begin Patch', '*** Update File: a', '*** End Patch'), 3, /a hunk \('@@'\) for "a"/, /End Patch/],
      ['a hunk without @@', patch('*** Begin Patch', '*** Update File: a', ' ctx', '+x', '*** End Patch'), 3, /'@@'/, /ctx/],
      ['an empty hunk', patch('*** Begin Patch', '*** Update File: a', '@@', '@@', '-x', '*** End Patch'), 4, /at least one line in hunk 1 of "a"/, /@@/],
      ['an empty last hunk', patch('*** Begin Patch', '*** Update File: a', '@@', '-x', '@@ f', '*** End Patch'), 6, /at least one line in hunk 2 of "a"/, /End Patch/],
      ['an empty End of File hunk', patch('*** Begin Patch', '*** Update File: a', '@@', '*** End of File', '*** End Patch'), 4, /before '\*\*\* End of File'/, /End of File/],
      ['a hunk of blank lines only', patch('*** Begin Patch', '*** Update File: a', '@@', '', '', '*** End Patch'), 6, /at least one line in hunk 1/, /End Patch/],
      ['a bad hunk line prefix', patch('*** Begin Patch', '*** Update File: a', '@@', ' ok', '\tindented', '*** End Patch'), 5, /hunk line starting with ' '/, /\\tindented/],
      ['a git line-range header', patch('*** Begin Patch', '*** Update File: a', '@@ -1,2 +1,3 @@', '-x', '*** End Patch'), 3, /line-number ranges are not used/, /-1,2/],
      ['an @@ glued to its header', patch('*** Begin Patch', '*** Update File: a', '@@def f():', '-x', '*** End Patch'), 3, /'@@ <line of the file>'/, /@@def/],
      ['a hunk after an End of File hunk', patch('*** Begin Patch', '*** Update File: a', '@@', '-x', '*** End of File', '@@', '-y', '*** End Patch'), 6, /must be the file's last/, /@@/],
      ['a hunk line after End of File', patch('*** Begin Patch', '*** Update File: a', '@@', '-x', '*** End of File', '+y', '*** End Patch'), 6, /must be the file's last/, /\+y/],
      ['two operations on one path', patch('*** Begin Patch', '*** Add File: a.txt', '+x', '*** Delete File: ./a.txt', '*** End Patch'), 4, /each path in at most one operation/, /"\.\/a\.txt" again \(first used on line 2\)/],
      ['a move onto a path used elsewhere', patch('*** Begin Patch', '*** Delete File: b', '*** Update File: a', '*** Move to: b', '*** End Patch'), 4, /at most one operation/, /first used on line 2/],
      ['a move onto itself', patch('*** Begin Patch', '*** Update File: a', '*** Move to: ./a', '*** End Patch'), 3, /a new path/, /own path/],
      ['an error in a CRLF patch', ['*** Begin Patch', '*** Update File: a', '@@', 'bad', '*** End Patch'].join('\r\n'), 4, /hunk line/, /"bad"/],
    ];
    it.each(cases)('%s', (_name, text, line, expected, found) => {
      const error = parseError(text);
      expect(error.line).toBe(line);
      expect(error.expected).toMatch(expected);
      expect(error.found).toMatch(found);
      expect(error.message).toBe(`patch line ${line}: expected ${error.expected}, found ${error.found}`);
    });
  });

  it('cuts very long lines in messages', () => {
    const error = parseError(patch('*** Begin Patch', '*** Update File: a', '@@', `?${'x'.repeat(1000)}`, '*** End Patch'));
    expect(error.found.length).toBeLessThan(140);
  });
});

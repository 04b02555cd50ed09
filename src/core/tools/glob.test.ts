import { describe, expect, it } from 'vitest';
import { compileGlob, GlobSyntaxError } from './glob.ts';

const matches = (glob: string, paths: string[]) => paths.filter((p) => compileGlob(glob).test(p));

describe('compileGlob', () => {
  it('* and ? stay within one segment', () => {
    expect(matches('*.ts', ['a.ts', '.hidden.ts', 'a.tsx', 'src/a.ts', '.ts'])).toEqual(['a.ts', '.hidden.ts', '.ts']);
    expect(matches('src/*.js', ['src/a.js', 'src/x/a.js', 'src/.js'])).toEqual(['src/a.js', 'src/.js']);
    expect(matches('?.md', ['a.md', 'ab.md', '/.md'])).toEqual(['a.md']);
  });

  it('** spans any number of whole segments, including none', () => {
    const paths = ['src/a.js', 'src/x/a.js', 'src/x/y/a.js', 'lib/a.js', 'a.js', 'src'];
    expect(matches('src/**/*.js', paths)).toEqual(['src/a.js', 'src/x/a.js', 'src/x/y/a.js']);
    expect(matches('**/*.js', paths)).toEqual(['src/a.js', 'src/x/a.js', 'src/x/y/a.js', 'lib/a.js', 'a.js']);
    expect(matches('src/**', paths)).toEqual(['src/a.js', 'src/x/a.js', 'src/x/y/a.js', 'src']);
    expect(matches('**', paths)).toEqual(paths);
    expect(matches('a**.js', ['a.js', 'abc.js', 'a/b.js'])).toEqual(['a.js', 'abc.js']); // not a globstar
  });

  it('{a,b} alternatives hold patterns and nest', () => {
    expect(matches('*.{ts,tsx}', ['a.ts', 'a.tsx', 'a.js'])).toEqual(['a.ts', 'a.tsx']);
    expect(matches('{src,test}/**/*.ts', ['src/a.ts', 'test/x/b.ts', 'lib/c.ts'])).toEqual(['src/a.ts', 'test/x/b.ts']);
    expect(matches('a.{j{s,sx},ts}', ['a.js', 'a.jsx', 'a.ts', 'a.j'])).toEqual(['a.js', 'a.jsx', 'a.ts']);
    expect(matches('a,b', ['a,b', 'a'])).toEqual(['a,b']);
  });

  it('[sets] match one character of a set or range, negated with ! or ^, never "/"', () => {
    expect(matches('[ab].txt', ['a.txt', 'b.txt', 'c.txt'])).toEqual(['a.txt', 'b.txt']);
    expect(matches('file[0-9].txt', ['file1.txt', 'filex.txt'])).toEqual(['file1.txt']);
    expect(matches('[!a].txt', ['a.txt', 'b.txt', '/.txt'])).toEqual(['b.txt']);
    expect(matches('[^a].txt', ['a.txt', 'b.txt'])).toEqual(['b.txt']);
    expect(matches('[]x].txt', [']x.txt', '].txt', 'x.txt'])).toEqual(['].txt', 'x.txt']);
    expect(matches('[\\d].txt', ['d.txt', '1.txt'])).toEqual(['d.txt']); // an escaped letter, not a class
    expect(matches('a[.txt', ['a[.txt'])).toEqual(['a[.txt']); // unclosed: literal
  });

  it('takes RegExp specials and escaped glob characters literally', () => {
    expect(matches('a+b(1).$x', ['a+b(1).$x', 'aab1x'])).toEqual(['a+b(1).$x']);
    expect(matches('\\*.txt', ['*.txt', 'a.txt'])).toEqual(['*.txt']);
    expect(matches('\\{a,b\\}', ['{a,b}', 'a'])).toEqual(['{a,b}']);
  });

  it('refuses unbalanced braces and a trailing backslash', () => {
    expect(() => compileGlob('*.{ts,js')).toThrow(new GlobSyntaxError('*.{ts,js', 'a "{" without its "}"'));
    expect(() => compileGlob('a}')).toThrow(/a "}" without its "{"/);
    expect(() => compileGlob('a\\')).toThrow(/ends with a lone "\\"/);
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_APPENDED_TEXT, parseIntents, type IntentBody } from './intents.ts';

/** The intents without the `ask` each one quotes. */
function bodies(request: string): IntentBody[] {
  return parseIntents(request).map(({ ask: _ask, ...body }) => body as IntentBody);
}

describe('parseIntents', () => {
  it.each<[string, IntentBody[]]>([
    ['hello, who are you?', []],
    ['Why is the sky blue?', []],
    ['thanks!', []],
    ['write me a poem', []],
    ['find the file README.md', []],
    ['remove the line foo from x', []],
  ])('finds nothing to do in %j', (request, expected) => {
    expect(bodies(request)).toEqual(expected);
  });

  it.each<[string, IntentBody[]]>([
    ['please list the files', [{ kind: 'list', path: '' }]],
    ['what FILES are there?', [{ kind: 'list', path: '' }]],
    ['show me the files', [{ kind: 'list', path: '' }]],
    ['list the files in the workspace', [{ kind: 'list', path: '' }]],
    ['list files in src', [{ kind: 'list', path: 'src' }]],
    ['read src/main.ts', [{ kind: 'read', path: 'src/main.ts' }]],
    ['please open the file README.md.', [{ kind: 'read', path: 'README.md' }]],
    ['show me `package.json`', [{ kind: 'read', path: 'package.json' }]],
    ['cat ./docs/../Makefile', [{ kind: 'read', path: 'Makefile' }]],
  ])('lists and reads: %j', (request, expected) => {
    expect(bodies(request)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['create a small project', 'demo-project'],
    ['Create a small JS project', 'demo-project'],
    ['create a project in React', 'demo-project'],
    ['make a todo app', 'todo-app'],
    ['build me a calculator app', 'calculator-app'],
    ['scaffold a todo app', 'todo-app'],
    ['scaffold my-app', 'my-app'],
    ['create a project called calc', 'calc'],
    ['make an app named "hello-world"', 'hello-world'],
    ['create a project in web/demo', 'web/demo'],
    ['create a new app in the folder playground', 'playground'],
    ['create a project called ../outside', 'demo-project'],
  ])('scaffolds for %j into %s/', (request, folder) => {
    expect(bodies(request)).toEqual([{ kind: 'scaffold', folder }]);
  });

  it.each<[string, IntentBody[]]>([
    ['write notes.md: hello world', [{ kind: 'write', path: 'notes.md', content: 'hello world\n' }]],
    ['write notes.md:\nline one\nline two\n', [{ kind: 'write', path: 'notes.md', content: 'line one\nline two\n' }]],
    ['write a.js\n```js\nconsole.log(1)\n```', [{ kind: 'write', path: 'a.js', content: 'console.log(1)\n' }]],
    ['write a.js:\n\n```js\nconsole.log(2)\n```\nlist files', [{ kind: 'write', path: 'a.js', content: 'console.log(2)\n' }, { kind: 'list', path: '' }]],
    ['write a.js: ```js\nx()\n```', [{ kind: 'write', path: 'a.js', content: 'x()\n' }]],
    ['save "my notes.txt": keep; this and then that', [{ kind: 'write', path: 'my notes.txt', content: 'keep; this and then that\n' }]],
    ['create app.js with hello', [{ kind: 'write', path: 'app.js', content: 'hello\n' }]],
    ['write notes.md', [{ kind: 'incomplete', hint: expect.stringContaining('what to write') as unknown as string }]],
  ])('writes: %j', (request, expected) => {
    expect(bodies(request)).toEqual(expected);
  });

  it.each<[string, IntentBody[]]>([
    ['run `1 + 2`', [{ kind: 'run', code: '1 + 2' }]],
    ['run js console.log(1)', [{ kind: 'run', code: 'console.log(1)' }]],
    ['run this:\n```js\nconsole.log(2)\n```', [{ kind: 'run', code: 'console.log(2)' }]],
    ['```js\n[1, 2].map((n) => n * 2)\n```\nrun it', [{ kind: 'run', code: '[1, 2].map((n) => n * 2)' }]],
    ['run the tests', [{ kind: 'incomplete', hint: expect.stringContaining('Give me the code') as unknown as string }]],
  ])('runs: %j', (request, expected) => {
    expect(bodies(request)).toEqual(expected);
  });

  it.each<[string, IntentBody[]]>([
    ['grep TODO in src', [{ kind: 'grep', pattern: 'TODO', path: 'src' }]],
    ['search for "sum(" in *.js', [{ kind: 'grep', pattern: 'sum(', glob: '*.js' }]],
    ['find TODO', [{ kind: 'grep', pattern: 'TODO' }]],
    ['look for `a b` inside docs', [{ kind: 'grep', pattern: 'a b', path: 'docs' }]],
    ['delete b.txt', [{ kind: 'delete', path: 'b.txt' }]],
    ['remove the file `old notes.md`', [{ kind: 'delete', path: 'old notes.md' }]],
    ['rename a.txt to b.txt', [{ kind: 'move', from: 'a.txt', to: 'b.txt' }]],
    ['move a.txt into docs', [{ kind: 'move', from: 'a.txt', to: 'docs/a.txt' }]],
    ['mv a.txt to docs/', [{ kind: 'move', from: 'a.txt', to: 'docs/a.txt' }]],
  ])('searches, deletes and moves: %j', (request, expected) => {
    expect(bodies(request)).toEqual(expected);
  });

  it.each<[string, IntentBody[]]>([
    ['add a line "hello" to notes.txt', [{ kind: 'append', path: 'notes.txt', text: 'hello' }]],
    ['append world to notes.txt.', [{ kind: 'append', path: 'notes.txt', text: 'world' }]],
    ['add go to bed to todo.txt', [{ kind: 'append', path: 'todo.txt', text: 'go to bed' }]],
    ['add a line saying `- [ ] ship it` to the end of TODO.md', [{ kind: 'append', path: 'TODO.md', text: '- [ ] ship it' }]],
    ['add a line to README.md', [{ kind: 'append', path: 'README.md', text: DEFAULT_APPENDED_TEXT }]],
  ])('appends: %j', (request, expected) => {
    expect(bodies(request)).toEqual(expected);
  });

  it('splits several asks: lines, "and <verb>", "then", ";", sentences', () => {
    expect(bodies('read a.txt and list files')).toEqual([{ kind: 'read', path: 'a.txt' }, { kind: 'list', path: '' }]);
    expect(bodies('read a.txt, then delete a.txt; grep x. Run `1`')).toEqual([
      { kind: 'read', path: 'a.txt' },
      { kind: 'delete', path: 'a.txt' },
      { kind: 'grep', pattern: 'x' },
      { kind: 'run', code: '1' },
    ]);
    expect(bodies('create a small project and write notes.txt: hi and bye')).toEqual([
      { kind: 'scaffold', folder: 'demo-project' },
      { kind: 'write', path: 'notes.txt', content: 'hi and bye\n' },
    ]);
    expect(bodies('delete a.txt\nadd "x and then y" to b.txt')).toEqual([
      { kind: 'delete', path: 'a.txt' },
      { kind: 'append', path: 'b.txt', text: 'x and then y' },
    ]);
  });

  it('gives each of several fenced blocks to the ask before it', () => {
    expect(bodies('write a.js\n```\nA\n```\nwrite b.js\n```\nB\n```\nrun this:\n```js\nC\n```')).toEqual([
      { kind: 'write', path: 'a.js', content: 'A\n' },
      { kind: 'write', path: 'b.js', content: 'B\n' },
      { kind: 'run', code: 'C' },
    ]);
  });

  it('keeps the words each intent came from', () => {
    expect(parseIntents('read a.txt and then list files').map((intent) => intent.ask)).toEqual(['read a.txt', 'list files']);
  });
});

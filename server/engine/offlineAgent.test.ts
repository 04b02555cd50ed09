import { describe, expect, it } from 'vitest';
import { parsePatch } from '../../src/core/patch/parsePatch.ts';
import type { FunctionTool, Item } from '../../src/core/wire.ts';
import { userMessage } from '../../src/core/wire.ts';
import { createMemoryWorkspace } from '../../src/core/workspace.ts';
import { compactConversation, MAX_CALLS_PER_TURN, offlineReply } from './offlineAgent.ts';
import { declaredTools, deniedOutput, runTurn } from './offlineAgent/fakeBrowserTools.ts';

const tool = (name: string): FunctionTool => ({ type: 'function', name, description: name, parameters: { type: 'object' } });
const TOOLS = [tool('list_files'), tool('read_file')];
const ALL_TOOLS = declaredTools();

function patchOf(args: string): string {
  return (JSON.parse(args) as { patch: string }).patch;
}

describe('offlineReply: answers and reports', () => {
  it('explains offline mode and how to connect a model, echoing the request', () => {
    const reply = offlineReply([userMessage('Why is the sky blue?')], TOOLS);
    expect(reply.toolCalls).toEqual([]);
    expect(reply.text).toContain("Switchboard's offline engine");
    expect(reply.text).toContain('> Why is the sky blue?');
    for (const hint of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'npm start']) expect(reply.text).toContain(hint);
  });

  it('lists the phrases it understands and the tools the client declared', () => {
    const text = offlineReply([userMessage('help')], ALL_TOOLS).text;
    for (const phrase of ['`list files`', '`create a small project`', '`write notes.md: some text`', 'add a line', '`delete b.txt`', 'run `1 + 2`', '`grep TODO in src`']) {
      expect(text).toContain(phrase);
    }
    expect(text).toContain('`apply_patch`, `grep`, `list_files`, `read_file`, `run_js`, `write_file`');
    expect(offlineReply([userMessage('help')], []).text).toContain('declared no tools');
  });

  it('answers only the latest user message', () => {
    const reply = offlineReply([userMessage('list files'), userMessage('thanks!')], TOOLS);
    expect(reply.toolCalls).toEqual([]);
    expect(reply.text).toContain('> thanks!');
  });

  it.each(['list the files', 'ls', 'show me the files', 'what FILES are there?'])('calls list_files for %j', (ask) => {
    expect(offlineReply([userMessage(ask)], TOOLS)).toEqual({ text: '', toolCalls: [{ name: 'list_files', arguments: '{"path":""}' }] });
  });

  it.each([
    ['read src/main.ts', 'src/main.ts'],
    ['please open the file README.md.', 'README.md'],
    ['show me `package.json`', 'package.json'],
    ['Open Makefile', 'Makefile'],
  ])('calls read_file for %j', (ask, path) => {
    expect(offlineReply([userMessage(ask)], TOOLS).toolCalls).toEqual([{ name: 'read_file', arguments: JSON.stringify({ path }) }]);
  });

  it('does not call tools that were not declared, and says which one was missing', () => {
    expect(offlineReply([userMessage('list files')], [tool('read_file')]).toolCalls).toEqual([]);
    expect(offlineReply([userMessage('read a.ts')], [tool('list_files')]).toolCalls).toEqual([]);
    const reply = offlineReply([userMessage('grep TODO')], TOOLS);
    expect(reply.toolCalls).toEqual([]);
    expect(reply.text).toContain('I skipped “grep TODO”: it needs `grep`, which this client did not declare.');
  });

  it('reports trailing tool outputs by the name of their call, without calling tools again', () => {
    const conversation: Item[] = [
      userMessage('list files'),
      { type: 'function_call', call_id: 'call_1', name: 'list_files', arguments: '{"path":""}' },
      { type: 'function_call', call_id: 'call_2', name: 'read_file', arguments: '{"path":"a.md"}' },
      { type: 'function_call_output', call_id: 'call_1', output: 'a.md' },
      { type: 'function_call_output', call_id: 'call_2', output: 'has ``` fences' },
    ];
    const reply = offlineReply(conversation, TOOLS);
    expect(reply.toolCalls).toEqual([]);
    expect(reply.text).toContain('**`list_files`** `{"path":""}`');
    expect(reply.text).toContain('**`read_file`**');
    // The fence must be longer than any backtick run in the output.
    expect(reply.text).toContain('````\nhas ``` fences\n````');
  });

  it('reports calls it did not plan itself (a script, an earlier model) instead of repeating the work', () => {
    const conversation: Item[] = [
      userMessage('list the files'),
      { type: 'function_call', call_id: 'call_s', name: 'list_files', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_s', output: 'README.md' },
    ];
    const reply = offlineReply(conversation, TOOLS);
    expect(reply.toolCalls).toEqual([]);
    expect(reply.text).toContain('**`list_files`** `{}`');
  });

  it('truncates long tool outputs', () => {
    const reply = offlineReply([{ type: 'function_call_output', call_id: 'call_x', output: 'y'.repeat(5000) }], TOOLS);
    expect(reply.text).toContain('call `call_x`');
    expect(reply.text).toContain('(3500 more characters)');
    expect(reply.text.length).toBeLessThan(2500);
  });

  it('never takes its own compaction summary for a request, so a compacted turn is not redone', () => {
    const summary = compactConversation([userMessage('create a small project'), userMessage('delete README.md')]);
    const reply = offlineReply(summary, ALL_TOOLS);
    expect(reply.toolCalls).toEqual([]);
    expect(reply.text).toContain("Switchboard's offline engine");
    // After a pre-turn compaction the new request still counts.
    expect(offlineReply([...summary, userMessage('list files')], ALL_TOOLS).toolCalls).toEqual([{ name: 'list_files', arguments: '{"path":""}' }]);
  });
});

describe('offline agent at work (a whole turn against an in-memory workspace)', () => {
  it('creates a small project with one apply_patch, then reports it applied and suggests next steps', async () => {
    const workspace = createMemoryWorkspace('w', {});
    const { replies, answer } = await runTurn('create a small project', workspace);
    expect(replies).toHaveLength(2);
    const [call] = replies[0]!.toolCalls;
    expect(replies[0]!.toolCalls).toHaveLength(1);
    expect(call!.name).toBe('apply_patch');
    expect(parsePatch(patchOf(call!.arguments)).operations.map((op) => `${op.kind} ${op.path}`)).toEqual([
      'add demo-project/README.md',
      'add demo-project/package.json',
      'add demo-project/index.html',
      'add demo-project/src/main.js',
      'add demo-project/src/sum.js',
      'add demo-project/test/sum.test.js',
    ]);
    expect(replies[0]!.text).toContain('`demo-project/`');
    expect(await workspace.readText('demo-project/src/sum.js')).toContain('export function sum');
    expect(answer).toContain('**`apply_patch`** create `demo-project/` (6 files): **applied**');
    expect(answer).toContain('A demo-project/test/sum.test.js');
    for (const step of ['Next steps', 'run_js', 'run this:', 'zip', 'list files in demo-project', 'no model is connected']) expect(answer).toContain(step);
  });

  it('names the project folder from the request', async () => {
    const workspace = createMemoryWorkspace('w', {});
    await runTurn('make a todo app', workspace);
    expect(await workspace.exists('todo-app/index.html')).toBe('file');
    await runTurn('scaffold my-app', workspace);
    expect(JSON.parse(await workspace.readText('my-app/package.json'))).toMatchObject({ name: 'my-app' });
  });

  it('reports a denied patch, quoting the denial, and writes nothing', async () => {
    const workspace = createMemoryWorkspace('w', {});
    const { answer } = await runTurn('create a small project', workspace, { approve: () => false });
    expect(answer).toContain('(6 files): **denied**');
    expect(answer).toContain(deniedOutput('apply_patch'));
    expect(answer).toContain('nothing was written');
    expect(await workspace.list('', 3)).toEqual([]);
  });

  it('reports a patch that failed, quoting why, and suggests another folder', async () => {
    const workspace = createMemoryWorkspace('w', { 'demo-project/README.md': 'mine\n' });
    const { answer } = await runTurn('create a small project', workspace);
    expect(answer).toContain('(6 files): **failed**');
    expect(answer).toContain('"demo-project/README.md" already exists');
    expect(answer).toContain('create a project called demo-project-2');
    expect(await workspace.readText('demo-project/README.md')).toBe('mine\n');
  });

  it('writes the project file by file with write_file when apply_patch is not declared', async () => {
    const workspace = createMemoryWorkspace('w', {});
    const { replies, answer } = await runTurn('create a small project', workspace, { tools: ['write_file', 'list_files'] });
    expect(replies[0]!.toolCalls.map((call) => call.name)).toEqual(Array(6).fill('write_file'));
    expect(await workspace.exists('demo-project/test/sum.test.js')).toBe('file');
    expect(answer).toContain('The project is in `demo-project/`.');
    expect(answer).not.toContain('run this:'); // run_js is not declared either
  });

  it('writes a file with write_file, or with an Add File patch when only apply_patch is declared', async () => {
    const workspace = createMemoryWorkspace('w', {});
    const { replies, answer } = await runTurn('write notes.md: remember the milk', workspace);
    expect(replies[0]!.toolCalls).toEqual([{ name: 'write_file', arguments: JSON.stringify({ path: 'notes.md', content: 'remember the milk\n' }) }]);
    expect(await workspace.readText('notes.md')).toBe('remember the milk\n');
    expect(answer).toContain('**`write_file`** `notes.md` (18 characters): **applied**');
    expect(answer).toContain('Created notes.md.');

    await runTurn('write todo.md\n```\n- [ ] ship\n```', workspace, { tools: ['apply_patch'] });
    expect(await workspace.readText('todo.md')).toBe('- [ ] ship\n');
  });

  it('runs code with run_js and reports what it printed', async () => {
    const { replies, answer } = await runTurn('run this:\n```js\nconsole.log("hi"); 6 * 7\n```', createMemoryWorkspace('w', {}));
    expect(replies[0]!.toolCalls).toEqual([{ name: 'run_js', arguments: JSON.stringify({ code: 'console.log("hi"); 6 * 7' }) }]);
    expect(answer).toContain(': **ran**');
    expect(answer).toContain('Console output:\nhi\nResult: 42');
    const denied = await runTurn('run `1 + 2`', createMemoryWorkspace('w', {}), { approve: () => false });
    expect(denied.answer).toContain('`1 + 2`: **denied**');
    const thrown = await runTurn('run `missing()`', createMemoryWorkspace('w', {}));
    expect(thrown.answer).toContain('`missing()`: **failed**');
    expect(thrown.answer).toContain('Error: ReferenceError: missing is not defined');
  });

  it('searches with grep, passing a path or a glob', async () => {
    const workspace = createMemoryWorkspace('w', { 'src/a.js': 'const x = 1; // TODO\n', 'b.md': 'TODO too\n' });
    const { replies, answer } = await runTurn('grep TODO in src', workspace);
    expect(replies[0]!.toolCalls).toEqual([{ name: 'grep', arguments: '{"pattern":"TODO","path":"src"}' }]);
    expect(answer).toContain('src/a.js:1:const x = 1; // TODO');
    expect((await runTurn('search for "TODO" in *.md', workspace)).replies[0]!.toolCalls[0]!.arguments).toBe('{"pattern":"TODO","glob":"*.md"}');
  });

  it('deletes and renames files with apply_patch', async () => {
    const workspace = createMemoryWorkspace('w', { 'a.txt': 'a\n', 'old.md': 'keep me\n' });
    const deleted = await runTurn('delete a.txt', workspace);
    expect(parsePatch(patchOf(deleted.replies[0]!.toolCalls[0]!.arguments)).operations).toMatchObject([{ kind: 'delete', path: 'a.txt' }]);
    expect(deleted.answer).toContain('**`apply_patch`** delete `a.txt`: **applied**');
    expect(await workspace.exists('a.txt')).toBeNull();

    const moved = await runTurn('rename old.md to docs/new.md', workspace);
    expect(parsePatch(patchOf(moved.replies[0]!.toolCalls[0]!.arguments)).operations).toMatchObject([{ kind: 'update', path: 'old.md', moveTo: { path: 'docs/new.md' }, hunks: [] }]);
    expect(await workspace.readText('docs/new.md')).toBe('keep me\n');
    expect(moved.answer).toContain('move `old.md` to `docs/new.md`: **applied**');
  });

  it('adds a line in two steps of one turn: read_file, then a patch built from what it read', async () => {
    const workspace = createMemoryWorkspace('w', { 'notes.md': '# Notes\n\n- first\n- second\n' });
    const { replies, answer, conversation } = await runTurn('add a line "- third" to notes.md', workspace);
    expect(replies.map((reply) => reply.toolCalls.map((call) => call.name))).toEqual([['read_file'], ['apply_patch'], []]);
    expect(replies[0]!.text).toContain('Reading `notes.md` first');
    expect(replies[1]!.text).toContain('quotes the last 3 lines I read');
    expect(patchOf(replies[1]!.toolCalls[0]!.arguments)).toBe(
      ['*** Begin Patch', '*** Update File: notes.md', '@@', ' ', ' - first', ' - second', '+- third', '*** End of File', '*** End Patch', ''].join('\n'),
    );
    expect(await workspace.readText('notes.md')).toBe('# Notes\n\n- first\n- second\n- third\n');
    expect(answer).toContain('**`read_file`** `{"path":"notes.md"}`');
    expect(answer).toContain('append 1 line to `notes.md`: **applied**');
    // The follow-up went out in the same turn: one user message, then calls and outputs.
    expect(conversation.filter((item) => item.type === 'message' && (item as { role: string }).role === 'user')).toHaveLength(1);
  });

  it('calls a refusal by a read-only thread "not run", not "denied"', () => {
    const refused = 'This thread is read-only, so apply_patch is not allowed: nothing was run or changed. Describe the change you would make instead.';
    const call = offlineReply([userMessage('delete a.txt')], ALL_TOOLS).toolCalls[0]!;
    const reply = offlineReply([
      userMessage('delete a.txt'),
      { type: 'function_call', call_id: 'c1', ...call },
      { type: 'function_call_output', call_id: 'c1', output: refused },
    ], ALL_TOOLS);
    expect(reply.text).toContain('delete `a.txt`: **not run**');
  });

  it('appends after a long file read in pieces at the end, without context', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const workspace = createMemoryWorkspace('w', { 'long.txt': `${lines.join('\n')}\n` });
    const { replies } = await runTurn('add "line 31" to long.txt', workspace, { readLimit: 10 });
    expect(replies[1]!.text).toContain('read_file showed only part of it');
    expect(await workspace.readText('long.txt')).toBe(`${[...lines, 'line 31'].join('\n')}\n`);
  });

  it('does not patch a file it could not read', async () => {
    const { replies, answer } = await runTurn('append hello to missing.txt', createMemoryWorkspace('w', {}));
    expect(replies.map((reply) => reply.toolCalls.map((call) => call.name))).toEqual([['read_file'], []]);
    expect(answer).toContain('read_file');
    expect(answer).toContain('**failed**');
    expect(answer).toContain('I could not read `missing.txt`, so I did not change it.');
  });

  it('appends without context when read_file is not declared, and rewrites the file when only write_file is', async () => {
    const workspace = createMemoryWorkspace('w', { 'a.txt': 'one\n' });
    const noRead = await runTurn('add "two" to a.txt', workspace, { tools: ['apply_patch'] });
    expect(noRead.replies[0]!.text).toContain('declared no `read_file`');
    expect(await workspace.readText('a.txt')).toBe('one\ntwo\n');
    await runTurn('add "three" to a.txt', workspace, { tools: ['read_file', 'write_file'] });
    expect(await workspace.readText('a.txt')).toBe('one\ntwo\nthree\n');
  });

  it('sends independent asks as parallel calls in one response, or one by one without parallel_tool_calls', async () => {
    const files = { 'a.txt': 'A\n', 'b.txt': 'B\n' };
    const ask = 'read a.txt and read b.txt and run `1 + 1`';
    const parallel = await runTurn(ask, createMemoryWorkspace('w', files));
    expect(parallel.replies.map((reply) => reply.toolCalls.map((call) => call.name))).toEqual([['read_file', 'read_file', 'run_js'], []]);
    expect(parallel.answer).toContain('Here is what the 3 tools returned:');
    for (const text of ['1\tA', '1\tB', 'Result: 2']) expect(parallel.answer).toContain(text);

    const serial = await runTurn(ask, createMemoryWorkspace('w', files), { parallelToolCalls: false });
    expect(serial.replies.map((reply) => reply.toolCalls.map((call) => call.name))).toEqual([['read_file'], ['read_file'], ['run_js'], []]);
    expect(serial.answer).toBe(parallel.answer.replace(/call_\d+/g, ''));
  });

  it('lets a read wait for an earlier write it would see, and writes to different files go together', async () => {
    const workspace = createMemoryWorkspace('w', {});
    const ordered = await runTurn('write x.txt: hi\nthen read x.txt', workspace);
    expect(ordered.replies.map((reply) => reply.toolCalls.map((call) => call.name))).toEqual([['write_file'], ['read_file'], []]);
    expect(ordered.answer).toContain('1\thi');
    const together = await runTurn('write a.txt: 1 and write b.txt: 2', workspace);
    expect(together.replies[0]!.toolCalls).toHaveLength(1); // "write a.txt: …" takes the rest of its line
    const twoLines = await runTurn('write a.txt: 1\nwrite b.txt: 2\ncreate a small project\nlist files', workspace);
    expect(twoLines.replies.map((reply) => reply.toolCalls.map((call) => call.name))).toEqual([['write_file', 'write_file', 'apply_patch'], ['list_files'], []]);
  });

  it(`stops calling tools after ${MAX_CALLS_PER_TURN} calls in a turn, and says so`, async () => {
    const asks = Array.from({ length: MAX_CALLS_PER_TURN + 3 }, (_, i) => `read f${i}.txt`).join('\n');
    const { replies, answer } = await runTurn(asks, createMemoryWorkspace('w', {}));
    expect(replies.map((reply) => reply.toolCalls.length)).toEqual([MAX_CALLS_PER_TURN, 0]);
    expect(answer).toContain(`I stopped after ${MAX_CALLS_PER_TURN} tool calls in this turn`);
  });
});

describe('compactConversation', () => {
  it('replaces the conversation with one user message naming the recent requests', () => {
    const compacted = compactConversation([
      userMessage('first ask'),
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'answer' }] },
      userMessage('second\nask'),
    ]);
    expect(compacted).toHaveLength(1);
    const text = JSON.stringify(compacted[0]);
    expect(compacted[0]).toMatchObject({ type: 'message', role: 'user' });
    expect(text).toContain('- first ask');
    expect(text).toContain('- second ask');
    expect(text).not.toContain('answer');
  });

  it('carries the requests of an earlier summary into the next one, without nesting summaries', () => {
    const once = compactConversation([userMessage('first ask')]);
    const twice = JSON.stringify(compactConversation([...once, userMessage('second ask')]));
    expect(twice).toContain('- first ask\\n- second ask');
    expect(twice).not.toContain('- Summary of');
  });
});

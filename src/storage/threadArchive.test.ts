import { describe, expect, it } from 'vitest';
import type { ItemRecord, ThreadRecord, TurnRecord } from '../core/threadStore.ts';
import { userMessage, type Item } from '../core/wire.ts';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  archiveFileName,
  archiveThread,
  archiveToMarkdown,
  createArchive,
  MAX_ARCHIVE_BYTES,
  parseArchive,
  planImport,
  serializeArchive,
  type StoredThread,
  type ThreadArchive,
} from './threadArchive.ts';

const say = (id: string, text: string): Item => ({ type: 'message', id, role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] });
const call: Item = { type: 'function_call', id: 'fc1', call_id: 'c1', name: 'list_files', arguments: '{"path":"."}' };
const output: Item = { type: 'function_call_output', call_id: 'c1', output: 'README.md\nsrc/hello.js' };
const reasoning: Item = { type: 'reasoning', id: 'r1', summary: [], encrypted_content: 'opaque' };

function stored(): StoredThread {
  const thread: ThreadRecord = { id: 'th-1', title: 'List the files', createdAt: 1000, updatedAt: 5000 };
  const turns: TurnRecord[] = [
    { id: 'tu-1', threadId: 'th-1', tabId: 'tab', userText: 'list the files', status: 'completed', startedAt: 1000, endedAt: 2000 },
    { id: 'tu-2', threadId: 'th-1', tabId: 'tab', userText: 'and again', status: 'failed', error: 'upstream 500', startedAt: 3000, endedAt: 3500 },
    {
      id: 'tu-3',
      threadId: 'th-1',
      tabId: 'tab',
      userText: 'last one',
      status: 'interrupted',
      error: 'The app was closed while this turn ran.',
      startedAt: 4000,
      endedAt: 4100,
      progress: { items: [say('m9', 'saved')], streaming: [{ itemId: 'm10', text: 'half a sen' }], savedAt: 4100 },
    },
  ];
  const itemList: [string, Item][] = [
    ['tu-1', userMessage('list the files')],
    ['tu-1', reasoning],
    ['tu-1', call],
    ['tu-1', output],
    ['tu-1', say('m1', 'Here are the files.')],
    ['tu-2', userMessage('and again')],
    ['tu-3', userMessage('last one')],
  ];
  const items: ItemRecord[] = itemList.map(([turnId, item], index) => ({ threadId: 'th-1', turnId, index, item }));
  return { thread, turns, items };
}

const nothingTaken = { threadIdTaken: () => false, turnIdTaken: () => false, newId: () => 'unused' };

function refusal(value: unknown): string {
  const result = parseArchive(typeof value === 'string' ? value : JSON.stringify(value));
  if (result.ok) throw new Error('expected a refusal');
  return result.error;
}

/** A valid archive, as plain JSON to break in tests. */
function validJson(): Record<string, any> {
  return JSON.parse(serializeArchive(createArchive([stored()], new Date('2025-01-02T03:04:05Z'))));
}

describe('thread archive: export', () => {
  it('writes format, version, time and each turn with its items in thread order', () => {
    const archive = createArchive([stored()], new Date('2025-01-02T03:04:05Z'));
    expect(archive).toMatchObject({ format: ARCHIVE_FORMAT, version: ARCHIVE_VERSION, exportedAt: '2025-01-02T03:04:05.000Z' });
    const t = archive.threads[0]!;
    expect(t).toMatchObject({ id: 'th-1', title: 'List the files', createdAt: 1000, updatedAt: 5000 });
    expect(t.turns.map((x) => [x.id, x.status, x.items.length])).toEqual([
      ['tu-1', 'completed', 5],
      ['tu-2', 'failed', 1],
      ['tu-3', 'interrupted', 1],
    ]);
    expect(t.turns[1]!.error).toBe('upstream 500');
    expect(t.turns[2]!.progress).toEqual({ items: [say('m9', 'saved')], streaming: [{ itemId: 'm10', text: 'half a sen' }] });
    expect(JSON.stringify(archive)).not.toContain('"tabId"');
  });

  it('writes a running turn as interrupted, with its progress', () => {
    const s = stored();
    const running: TurnRecord = { id: 'tu-4', threadId: 'th-1', tabId: 't', userText: 'go', status: 'running', startedAt: 6000, progress: { items: [], streaming: [{ itemId: 'x', text: 'so far' }], savedAt: 6001 } };
    const t = archiveThread({ ...s, turns: [...s.turns, running] });
    expect(t.turns.at(-1)).toMatchObject({ id: 'tu-4', status: 'interrupted', error: 'Exported while this turn was running.', progress: { streaming: [{ itemId: 'x', text: 'so far' }] } });
  });

  it('keeps items whose turn has no record, in place, as a turn of their own', () => {
    const s = stored();
    const t = archiveThread({ ...s, turns: s.turns.filter((x) => x.id !== 'tu-2') });
    expect(t.turns.map((x) => x.id)).toEqual(['tu-1', 'tu-2', 'tu-3']);
    expect(t.turns[1]).toMatchObject({ userText: '', status: 'completed', startedAt: 1000 });
  });
});

describe('thread archive: round trip', () => {
  it('export → JSON → import gives back the same threads, turns and items', () => {
    const original = stored();
    const text = serializeArchive(createArchive([original], new Date()));
    const parsed = parseArchive(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const plan = planImport(parsed.archive, nothingTaken);
    expect(plan.renamed).toEqual([]);
    const [back] = plan.threads;
    expect(back!.thread).toEqual(original.thread);
    expect(back!.items).toEqual(original.items);
    expect(back!.turns).toEqual(original.turns.map((t) => ({ ...t, tabId: 'import', ...(t.progress && { progress: { ...t.progress, savedAt: t.endedAt } }) })));
    // …and exporting the import again gives the same file.
    expect(serializeArchive(createArchive(plan.threads, new Date(parsed.archive.exportedAt)))).toBe(text);
  });

  it('carries a thread\'s approval policy and a "Compact thread" turn, and refuses bad values', () => {
    const original = stored();
    original.thread.approvalPolicy = 'read-only';
    (original.turns as TurnRecord[])[1] = { ...original.turns[1]!, kind: 'compaction', userText: '' };
    const text = serializeArchive(createArchive([original], new Date()));
    const parsed = parseArchive(text);
    if (!parsed.ok) throw new Error(parsed.error);
    const [back] = planImport(parsed.archive, nothingTaken).threads;
    expect(back!.thread.approvalPolicy).toBe('read-only');
    expect(back!.turns[1]).toMatchObject({ kind: 'compaction', userText: '' });
    const bad = (edit: (json: any) => void) => {
      const json = JSON.parse(text);
      edit(json);
      return parseArchive(JSON.stringify(json));
    };
    expect(bad((j) => (j.threads[0].approvalPolicy = 'yolo'))).toMatchObject({ ok: false, error: expect.stringMatching(/approvalPolicy must be one of read-only, ask, auto/) });
    expect(bad((j) => (j.threads[0].turns[0].kind = 'magic'))).toMatchObject({ ok: false, error: expect.stringMatching(/kind must be "compaction"/) });
  });

  it('imports many threads in file order', () => {
    const a = stored();
    const b: StoredThread = { thread: { id: 'th-2', title: 'Other', createdAt: 1, updatedAt: 2 }, turns: [], items: [] };
    const parsed = parseArchive(serializeArchive(createArchive([a, b], new Date())));
    expect(parsed.ok && parsed.archive.threads.map((t) => t.id)).toEqual(['th-1', 'th-2']);
  });

  it('gives a new id to a thread or turn whose id is taken, and says which threads moved', () => {
    const parsed = parseArchive(serializeArchive(createArchive([stored()], new Date())));
    if (!parsed.ok) throw new Error(parsed.error);
    let n = 0;
    const plan = planImport(parsed.archive, { threadIdTaken: (id) => id === 'th-1', turnIdTaken: (id) => id === 'tu-2', newId: () => `new-${++n}` });
    expect(plan.renamed).toEqual([['th-1', 'new-1']]);
    const t = plan.threads[0]!;
    expect(t.thread.id).toBe('new-1');
    expect(t.turns.map((x) => [x.id, x.threadId])).toEqual([
      ['tu-1', 'new-1'],
      ['new-2', 'new-1'],
      ['tu-3', 'new-1'],
    ]);
    expect(new Set(t.items.map((r) => r.threadId))).toEqual(new Set(['new-1']));
    expect(t.items.filter((r) => r.turnId === 'new-2')).toHaveLength(1);
  });
});

describe('thread archive: refusals', () => {
  it('refuses what is not JSON', () => {
    expect(refusal('{"format": "switchboard.threads",')).toMatch(/^This file is not valid JSON/);
    expect(refusal('')).toMatch(/not valid JSON/);
  });

  it('refuses JSON that is not a Switchboard export', () => {
    expect(refusal([1, 2])).toMatch(/not a Switchboard threads export/);
    expect(refusal({ threads: [] })).toMatch(/not a Switchboard threads export/);
    expect(refusal({ format: 'something.else', version: 1, threads: [] })).toMatch(/not a Switchboard threads export/);
    expect(refusal('null')).toMatch(/not a Switchboard threads export/);
  });

  it('refuses other versions, saying which', () => {
    expect(refusal({ ...validJson(), version: 2 })).toBe('This export uses format version 2; this version of Switchboard reads version 1. Update Switchboard to import it.');
    expect(refusal({ ...validJson(), version: '1' })).toMatch(/format version \("1"\) is not one Switchboard can read/);
    const { version: _v, ...noVersion } = validJson();
    expect(refusal(noVersion)).toMatch(/format version \(missing\)/);
  });

  it('refuses a file that is too large', () => {
    expect(refusal(' '.repeat(MAX_ARCHIVE_BYTES + 1))).toMatch(/too large/);
  });

  const broken: [string, (a: Record<string, any>) => void, RegExp][] = [
    ['exportedAt missing', (a) => delete a.exportedAt, /exportedAt must be a string/],
    ['threads not an array', (a) => (a.threads = {}), /threads must be an array, not an object/],
    ['no threads', (a) => (a.threads = []), /contains no threads/],
    ['thread not an object', (a) => (a.threads[0] = 'x'), /threads\[0\] must be an object, not string/],
    ['thread id missing', (a) => delete a.threads[0].id, /threads\[0\]\.id must be a string/],
    ['thread id empty', (a) => (a.threads[0].id = ''), /threads\[0\]\.id is not a valid id/],
    ['thread id with a newline', (a) => (a.threads[0].id = 'a\nb'), /not a valid id/],
    ['thread id too long', (a) => (a.threads[0].id = 'x'.repeat(201)), /not a valid id/],
    ['duplicate thread ids', (a) => a.threads.push({ ...a.threads[0], turns: [] }), /threads\[1\]\.id "th-1" appears more than once/],
    ['title not a string', (a) => (a.threads[0].title = 5), /threads\[0\]\.title must be a string, not number/],
    ['negative time', (a) => (a.threads[0].createdAt = -1), /createdAt must be a time/],
    ['time as a string', (a) => (a.threads[0].updatedAt = '2025'), /updatedAt must be a time/],
    ['turns missing', (a) => delete a.threads[0].turns, /threads\[0\]\.turns must be an array/],
    ['duplicate turn ids', (a) => (a.threads[0].turns[1].id = 'tu-1'), /turns\[1\]\.id "tu-1" appears more than once/],
    ['turn status running', (a) => (a.threads[0].turns[0].status = 'running'), /status must be one of completed, failed, stopped, interrupted, not "running"/],
    ['turn status unknown', (a) => (a.threads[0].turns[0].status = 'done'), /status must be one of/],
    ['userText missing', (a) => delete a.threads[0].turns[0].userText, /turns\[0\]\.userText must be a string/],
    ['error not a string', (a) => (a.threads[0].turns[1].error = { message: 'x' }), /turns\[1\]\.error must be a string/],
    ['endedAt bad', (a) => (a.threads[0].turns[0].endedAt = null), /endedAt must be a time/],
    ['items not an array', (a) => (a.threads[0].turns[0].items = 'x'), /items must be an array/],
    ['item not an object', (a) => (a.threads[0].turns[0].items[0] = 3), /items\[0\] must be an object, not number/],
    ['item without type', (a) => delete a.threads[0].turns[0].items[0].type, /items\[0\]\.type must be a string/],
    ['item with empty type', (a) => (a.threads[0].turns[0].items[0].type = ''), /items\[0\]\.type must not be empty/],
    ['item id not a string', (a) => (a.threads[0].turns[0].items[4].id = 7), /items\[4\]\.id must be a string/],
    ['message role unknown', (a) => (a.threads[0].turns[0].items[0].role = 'robot'), /items\[0\]\.role must be one of user, assistant, system, developer/],
    ['message content not an array', (a) => (a.threads[0].turns[0].items[0].content = 'hi'), /items\[0\]\.content must be an array/],
    ['text part without text', (a) => delete a.threads[0].turns[0].items[4].content[0].text, /items\[4\]\.content\[0\]\.text must be a string/],
    ['function_call without name', (a) => delete a.threads[0].turns[0].items[2].name, /items\[2\]\.name must be a string/],
    ['function_call arguments as object', (a) => (a.threads[0].turns[0].items[2].arguments = {}), /items\[2\]\.arguments must be a string/],
    ['output without its call', (a) => a.threads[0].turns[0].items.splice(2, 1), /items\[2\] answers a tool call \("c1"\) that is not in the thread before it/],
    ['output not a string', (a) => (a.threads[0].turns[0].items[3].output = 1), /items\[3\]\.output must be a string/],
    ['progress items bad', (a) => (a.threads[0].turns[2].progress.items = [null]), /progress\.items\[0\] must be an object, not null/],
    ['progress streaming bad', (a) => (a.threads[0].turns[2].progress.streaming = [{ itemId: 'x' }]), /progress\.streaming\[0\]\.text must be a string/],
  ];

  it.each(broken)('refuses a file with %s, saying where', (_name, breakIt, message) => {
    const a = validJson();
    breakIt(a);
    const error = refusal(a);
    expect(error).toMatch(/^This file cannot be imported: /);
    expect(error).toMatch(message);
  });

  it('accepts item types it does not know, and other content parts, as they are', () => {
    const a = validJson();
    a.threads[0].turns[0].items[4].content.push({ type: 'refusal', refusal: 'no' });
    const parsed = parseArchive(JSON.stringify(a));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.archive.threads[0]!.turns[0]!.items[1]).toEqual(reasoning);
  });

  it('copies only known fields of threads and turns', () => {
    const a = validJson();
    a.threads[0].extra = 'x';
    a.threads[0].turns[0].tabId = 'sneaky';
    a.extra = true;
    const parsed = parseArchive(JSON.stringify(a)) as { ok: true; archive: ThreadArchive };
    expect(parsed.ok).toBe(true);
    expect(JSON.stringify(parsed.archive)).not.toMatch(/extra|sneaky/);
  });
});

describe('thread archive: Markdown', () => {
  it('renders a thread for people: title, turns, your text, answers, tool steps and endings', () => {
    const md = archiveToMarkdown(createArchive([stored()], new Date()));
    expect(md).toMatch(/^# List the files\n/);
    expect(md).toContain('## Turn 1\n\n**You:**\n\n> list the files');
    expect(md).not.toContain('**user:**'); // the user message is not repeated
    expect(md).toContain('**Tool call** `list_files`\n\n```json\n{"path":"."}\n```');
    expect(md).toContain('**Tool output** (`list_files`)\n\n```text\nREADME.md\nsrc/hello.js\n```');
    expect(md).toContain('Here are the files.');
    expect(md).toContain('_(reasoning item not shown)_');
    expect(md).toContain('_Failed: upstream 500_');
    expect(md).toContain('saved');
    expect(md).toContain('half a sen\n\n_(unfinished)_');
    expect(md).toContain('_Interrupted: The app was closed while this turn ran._');
  });

  it('fences tool output so backticks inside cannot break out', () => {
    const s = stored();
    const tricky: Item = { type: 'function_call_output', call_id: 'c1', output: 'a ``` b ```` c' };
    const md = archiveToMarkdown(createArchive([{ ...s, items: s.items.map((r) => (r.index === 3 ? { ...r, item: tricky } : r)) }], new Date()));
    expect(md).toContain('`````text\na ``` b ```` c\n`````');
  });

  it('renders several threads under one heading, separated by rules', () => {
    const b: StoredThread = { thread: { id: 'th-2', title: 'Second', createdAt: 1, updatedAt: 2 }, turns: [], items: [] };
    const md = archiveToMarkdown(createArchive([stored(), b], new Date('2025-01-02T00:00:00Z')));
    expect(md).toMatch(/^# Switchboard threads\n/);
    expect(md).toContain('## List the files');
    expect(md).toContain('\n\n---\n\n## Second');
  });
});

describe('archiveFileName', () => {
  it('names files after the thread (or all threads) and the day', () => {
    const day = new Date('2025-03-04T12:00:00Z');
    expect(archiveFileName('json', { title: 'Héllo, wörld! / notes' }, day)).toBe('switchboard-hello-world-notes-2025-03-04.json');
    expect(archiveFileName('md', { title: '!!!' }, day)).toBe('switchboard-thread-2025-03-04.md');
    expect(archiveFileName('json', 'all', day)).toBe('switchboard-threads-2025-03-04.json');
  });
});

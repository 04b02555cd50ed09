// The thread export format, in one place: what "Export" writes (JSON, and a Markdown rendering
// for people) and what "Import" accepts. Pure: no DOM, no IndexedDB. The file carries a format
// name and a version; a reader accepts exactly the versions it knows and refuses anything else,
// with a message that says what is wrong and where, before anything is written.
//
// Version 1:
//   { "format": "switchboard.threads", "version": 1, "exportedAt": "<ISO 8601>",
//     "threads": [ { "id", "title", "createdAt", "updatedAt",          // ms since the epoch
//                    "approvalPolicy"?: "read-only" | "ask" | "auto",
//                    "turns": [ { "id", "kind"?: "compaction", "userText", "status", "error"?, "startedAt", "endedAt"?,
//                                 "items": [ <Responses API items, thread order> ],
//                                 "progress"?: { "items": [...], "streaming": [{ "itemId", "text" }] } } ] } ] }
//
// A turn's `items` are its part of the model's input history, in order (the user message first).
// `progress` is output saved while the turn ran that never became part of the history (an
// interrupted turn). A turn still running when exported is written as 'interrupted'. Tab ids are
// not exported. On import, a thread or turn whose id already exists in this browser gets a new id
// (so importing the same file twice gives two copies, and never overwrites anything).
import type { TurnStatus } from '../core/brokerMessages.ts';
import type { ApprovalPolicy, ItemRecord, ThreadRecord, TurnRecord } from '../core/threadStore.ts';
import { messageText, type Item } from '../core/wire.ts';

export const ARCHIVE_FORMAT = 'switchboard.threads';
export const ARCHIVE_VERSION = 1;
/** Larger files are refused before they are read. */
export const MAX_ARCHIVE_BYTES = 50 * 1024 * 1024;
const MAX_ID_LENGTH = 200;

export type ArchivedTurnStatus = Exclude<TurnStatus, 'running'>;
const ARCHIVED_STATUSES: readonly ArchivedTurnStatus[] = ['completed', 'failed', 'stopped', 'interrupted'];
const ROLES = ['user', 'assistant', 'system', 'developer'];
const POLICIES: readonly ApprovalPolicy[] = ['read-only', 'ask', 'auto'];

export interface ArchivedTurn {
  id: string;
  /** A "Compact thread" turn. */
  kind?: 'compaction';
  userText: string;
  status: ArchivedTurnStatus;
  error?: string;
  startedAt: number;
  endedAt?: number;
  items: Item[];
  progress?: { items: Item[]; streaming: { itemId: string; text: string }[] };
}

export interface ArchivedThread {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  approvalPolicy?: ApprovalPolicy;
  turns: ArchivedTurn[];
}

export interface ThreadArchive {
  format: typeof ARCHIVE_FORMAT;
  version: typeof ARCHIVE_VERSION;
  exportedAt: string;
  threads: ArchivedThread[];
}

/** A thread as the store holds it (ThreadStore / readThread). */
export interface StoredThread {
  thread: ThreadRecord;
  turns: readonly TurnRecord[];
  items: readonly ItemRecord[];
}

// ---- export ----

const EXPORTED_RUNNING = 'Exported while this turn was running.';

function archiveTurn(turn: TurnRecord, items: Item[]): ArchivedTurn {
  const status: ArchivedTurnStatus = turn.status === 'running' ? 'interrupted' : turn.status;
  const error = turn.status === 'running' ? (turn.error ?? EXPORTED_RUNNING) : turn.error;
  return {
    id: turn.id,
    ...(turn.kind !== undefined && { kind: turn.kind }),
    userText: turn.userText,
    status,
    ...(error !== undefined && { error }),
    startedAt: turn.startedAt,
    ...(turn.endedAt !== undefined && { endedAt: turn.endedAt }),
    items,
    ...(turn.progress && { progress: { items: turn.progress.items, streaming: turn.progress.streaming } }),
  };
}

export function archiveThread(stored: StoredThread): ArchivedThread {
  const { thread } = stored;
  const turns = [...stored.turns].sort((a, b) => a.startedAt - b.startedAt);
  const records = [...stored.items].sort((a, b) => a.index - b.index);
  const byTurn = new Map<string, Item[]>();
  const firstIndex = new Map<string, number>();
  for (const r of records) {
    if (!byTurn.has(r.turnId)) {
      byTurn.set(r.turnId, []);
      firstIndex.set(r.turnId, r.index);
    }
    byTurn.get(r.turnId)!.push(r.item);
  }
  const out = turns.map((t) => archiveTurn(t, byTurn.get(t.id) ?? []));
  // Items whose turn has no record (none expected) are kept as a turn of their own, placed by
  // their position in the thread, rather than silently left out.
  const known = new Set(turns.map((t) => t.id));
  for (const [turnId, items] of byTurn) {
    if (known.has(turnId)) continue;
    const first = firstIndex.get(turnId)!;
    let at = out.findIndex((t) => (firstIndex.get(t.id) ?? Infinity) > first);
    if (at === -1) at = out.length;
    const startedAt = at > 0 ? out[at - 1]!.startedAt : thread.createdAt;
    out.splice(at, 0, { id: turnId, userText: '', status: 'completed', startedAt, items });
  }
  // The workspace binding is not exported: workspaces are this browser's, the files are not in the file.
  return { id: thread.id, title: thread.title, createdAt: thread.createdAt, updatedAt: thread.updatedAt, ...(thread.approvalPolicy !== undefined && { approvalPolicy: thread.approvalPolicy }), turns: out };
}

export function createArchive(threads: readonly StoredThread[], exportedAt: Date): ThreadArchive {
  return { format: ARCHIVE_FORMAT, version: ARCHIVE_VERSION, exportedAt: exportedAt.toISOString(), threads: threads.map(archiveThread) };
}

export function serializeArchive(archive: ThreadArchive): string {
  return `${JSON.stringify(archive, null, 2)}\n`;
}

// ---- import: validation ----

export type ParseResult = { ok: true; archive: ThreadArchive } | { ok: false; error: string };

class Invalid extends Error {}

type Json = Record<string, unknown>;

const describe = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `${typeof value}`);

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown, path: string): Json {
  if (!isObject(value)) throw new Invalid(`${path} must be an object, not ${describe(value)}.`);
  return value;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new Invalid(`${path} must be an array, not ${describe(value)}.`);
  return value;
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new Invalid(`${path} must be a string, not ${describe(value)}.`);
  return value;
}

function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined ? undefined : string(value, path);
}

function id(value: unknown, path: string): string {
  const s = string(value, path);
  // Ids end up in URLs and database keys: no empties, no control characters, no huge strings.
  // eslint-disable-next-line no-control-regex
  if (s.length === 0 || s.length > MAX_ID_LENGTH || /[\u0000-\u001f\u007f]/.test(s)) throw new Invalid(`${path} is not a valid id.`);
  return s;
}

function timestamp(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Invalid(`${path} must be a time in milliseconds (a number ≥ 0).`);
  return value;
}

function item(value: unknown, path: string): Item {
  const it = object(value, path);
  const type = string(it.type, `${path}.type`);
  if (type === '') throw new Invalid(`${path}.type must not be empty.`);
  if (it.id !== undefined) string(it.id, `${path}.id`);
  switch (type) {
    case 'message': {
      const role = string(it.role, `${path}.role`);
      if (!ROLES.includes(role)) throw new Invalid(`${path}.role must be one of ${ROLES.join(', ')}.`);
      array(it.content, `${path}.content`).forEach((p, i) => {
        const part = object(p, `${path}.content[${i}]`);
        const partType = string(part.type, `${path}.content[${i}].type`);
        if (partType === 'input_text' || partType === 'output_text') string(part.text, `${path}.content[${i}].text`);
      });
      break;
    }
    case 'function_call':
      string(it.call_id, `${path}.call_id`);
      string(it.name, `${path}.name`);
      string(it.arguments, `${path}.arguments`);
      break;
    case 'function_call_output':
      string(it.call_id, `${path}.call_id`);
      string(it.output, `${path}.output`);
      break;
    default:
      // Other item types (reasoning, …) are carried as they are, like the broker does.
      break;
  }
  return structuredClone(it) as Item;
}

function turn(value: unknown, path: string): ArchivedTurn {
  const t = object(value, path);
  const status = string(t.status, `${path}.status`);
  if (!(ARCHIVED_STATUSES as readonly string[]).includes(status)) throw new Invalid(`${path}.status must be one of ${ARCHIVED_STATUSES.join(', ')}, not "${status}".`);
  const error = optionalString(t.error, `${path}.error`);
  const endedAt = t.endedAt === undefined ? undefined : timestamp(t.endedAt, `${path}.endedAt`);
  const items = array(t.items, `${path}.items`).map((x, i) => item(x, `${path}.items[${i}]`));
  let progress: ArchivedTurn['progress'];
  if (t.progress !== undefined) {
    const p = object(t.progress, `${path}.progress`);
    progress = {
      items: array(p.items, `${path}.progress.items`).map((x, i) => item(x, `${path}.progress.items[${i}]`)),
      streaming: array(p.streaming, `${path}.progress.streaming`).map((x, i) => {
        const s = object(x, `${path}.progress.streaming[${i}]`);
        return { itemId: string(s.itemId, `${path}.progress.streaming[${i}].itemId`), text: string(s.text, `${path}.progress.streaming[${i}].text`) };
      }),
    };
  }
  if (t.kind !== undefined && t.kind !== 'compaction') throw new Invalid(`${path}.kind must be "compaction" when present, not ${JSON.stringify(t.kind)}.`);
  return {
    id: id(t.id, `${path}.id`),
    ...(t.kind === 'compaction' && { kind: 'compaction' as const }),
    userText: string(t.userText, `${path}.userText`),
    status: status as ArchivedTurnStatus,
    ...(error !== undefined && { error }),
    startedAt: timestamp(t.startedAt, `${path}.startedAt`),
    ...(endedAt !== undefined && { endedAt }),
    items,
    ...(progress && { progress }),
  };
}

function thread(value: unknown, path: string, turnIds: Set<string>): ArchivedThread {
  const t = object(value, path);
  const turns = array(t.turns, `${path}.turns`).map((x, i) => turn(x, `${path}.turns[${i}]`));
  const calls = new Set<string>();
  turns.forEach((tu, i) => {
    if (turnIds.has(tu.id)) throw new Invalid(`${path}.turns[${i}].id "${tu.id}" appears more than once in the file.`);
    turnIds.add(tu.id);
    // The history is sent to the model as it is: every tool output must answer an earlier call.
    tu.items.forEach((it, j) => {
      if (it.type === 'function_call') calls.add((it as { call_id: string }).call_id);
      if (it.type === 'function_call_output' && !calls.has((it as { call_id: string }).call_id)) {
        throw new Invalid(`${path}.turns[${i}].items[${j}] answers a tool call ("${(it as { call_id: string }).call_id}") that is not in the thread before it.`);
      }
    });
  });
  if (t.approvalPolicy !== undefined && !(POLICIES as readonly unknown[]).includes(t.approvalPolicy)) {
    throw new Invalid(`${path}.approvalPolicy must be one of ${POLICIES.join(', ')}, not ${JSON.stringify(t.approvalPolicy)}.`);
  }
  return {
    id: id(t.id, `${path}.id`),
    title: string(t.title, `${path}.title`),
    createdAt: timestamp(t.createdAt, `${path}.createdAt`),
    updatedAt: timestamp(t.updatedAt, `${path}.updatedAt`),
    ...(t.approvalPolicy !== undefined && { approvalPolicy: t.approvalPolicy as ApprovalPolicy }),
    turns,
  };
}

/** Validates a whole file. Nothing in the result comes from the file unchecked, except the
 *  extra fields of items (they are the model's data and are sent back to it as they are). */
export function parseArchive(text: string): ParseResult {
  if (text.length > MAX_ARCHIVE_BYTES) return { ok: false, error: `This file is too large to import (the limit is ${MAX_ARCHIVE_BYTES / 1024 / 1024} MB).` };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `This file is not valid JSON (${error instanceof Error ? error.message : String(error)}).` };
  }
  if (!isObject(data) || data.format !== ARCHIVE_FORMAT) {
    return { ok: false, error: `This is not a Switchboard threads export: its "format" is not "${ARCHIVE_FORMAT}".` };
  }
  if (data.version !== ARCHIVE_VERSION) {
    const v = data.version;
    const newer = typeof v === 'number' && v > ARCHIVE_VERSION;
    return {
      ok: false,
      error: newer
        ? `This export uses format version ${v}; this version of Switchboard reads version ${ARCHIVE_VERSION}. Update Switchboard to import it.`
        : `This export's format version (${JSON.stringify(v) ?? 'missing'}) is not one Switchboard can read (it reads version ${ARCHIVE_VERSION}).`,
    };
  }
  try {
    const exportedAt = string(data.exportedAt, 'exportedAt');
    const ids = new Set<string>();
    const turnIds = new Set<string>();
    const threads = array(data.threads, 'threads').map((x, i) => {
      const t = thread(x, `threads[${i}]`, turnIds);
      if (ids.has(t.id)) throw new Invalid(`threads[${i}].id "${t.id}" appears more than once in the file.`);
      ids.add(t.id);
      return t;
    });
    if (threads.length === 0) throw new Invalid('The file contains no threads.');
    return { ok: true, archive: { format: ARCHIVE_FORMAT, version: ARCHIVE_VERSION, exportedAt, threads } };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, error: `This file cannot be imported: ${error.message}` };
    throw error;
  }
}

// ---- import: what to write ----

export interface ImportPlan {
  threads: StoredThread[];
  /** Threads that got a new id because theirs was taken: [id in the file, id given]. */
  renamed: [string, string][];
}

/** Turns a validated archive into records, giving new ids where the file's are taken. */
export function planImport(
  archive: ThreadArchive,
  options: { threadIdTaken(id: string): boolean; turnIdTaken(id: string): boolean; newId(): string },
): ImportPlan {
  const renamed: [string, string][] = [];
  const threads = archive.threads.map((t): StoredThread => {
    let threadId = t.id;
    if (options.threadIdTaken(threadId)) {
      threadId = options.newId();
      renamed.push([t.id, threadId]);
    }
    const turns: TurnRecord[] = [];
    const items: ItemRecord[] = [];
    for (const archived of t.turns) {
      const turnId = options.turnIdTaken(archived.id) ? options.newId() : archived.id;
      turns.push({
        id: turnId,
        threadId,
        tabId: 'import',
        ...(archived.kind !== undefined && { kind: archived.kind }),
        userText: archived.userText,
        status: archived.status,
        ...(archived.error !== undefined && { error: archived.error }),
        startedAt: archived.startedAt,
        ...(archived.endedAt !== undefined && { endedAt: archived.endedAt }),
        ...(archived.progress && { progress: { ...archived.progress, savedAt: archived.endedAt ?? archived.startedAt } }),
      });
      for (const it of archived.items) items.push({ threadId, turnId, index: items.length, item: it });
    }
    return { thread: { id: threadId, title: t.title, createdAt: t.createdAt, updatedAt: t.updatedAt, ...(t.approvalPolicy !== undefined && { approvalPolicy: t.approvalPolicy }) }, turns, items };
  });
  return { threads, renamed };
}

// ---- Markdown, for people ----

/** A code fence longer than any run of backticks in `text`, so the text cannot close it. */
function fence(text: string, info = ''): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const marks = '`'.repeat(Math.max(3, longest + 1));
  return `${marks}${info}\n${text}\n${marks}`;
}

const quote = (text: string) =>
  text
    .split('\n')
    .map((line) => (line === '' ? '>' : `> ${line}`))
    .join('\n');

const STATUS_NOTE: Record<ArchivedTurnStatus, string | null> = {
  completed: null,
  failed: 'Failed',
  stopped: 'Stopped',
  interrupted: 'Interrupted',
};

function itemMarkdown(it: Item, toolNames: Map<string, string>): string | null {
  switch (it.type) {
    case 'message': {
      const text = messageText(it);
      const role = (it as { role?: string }).role;
      if (role === 'assistant') return text;
      return `**${role}:**\n\n${quote(text)}`;
    }
    case 'function_call': {
      const call = it as { call_id: string; name: string; arguments: string };
      toolNames.set(call.call_id, call.name);
      return `**Tool call** \`${call.name}\`\n\n${fence(call.arguments, 'json')}`;
    }
    case 'function_call_output': {
      const out = it as { call_id: string; output: string };
      return `**Tool output**${toolNames.has(out.call_id) ? ` (\`${toolNames.get(out.call_id)}\`)` : ''}\n\n${fence(out.output, 'text')}`;
    }
    default:
      return `_(${it.type} item not shown)_`;
  }
}

function threadMarkdown(t: ArchivedThread, heading: '#' | '##'): string {
  const sub = heading === '#' ? '##' : '###';
  const parts = [`${heading} ${t.title}`, `_Created ${new Date(t.createdAt).toISOString()}_`];
  const toolNames = new Map<string, string>();
  t.turns.forEach((tu, i) => {
    parts.push(`${sub} Turn ${i + 1}`);
    if (tu.userText !== '') parts.push(`**You:**\n\n${quote(tu.userText)}`);
    let userEchoSkipped = false;
    for (const it of tu.items) {
      // The user message opens the turn's items; it is shown above already.
      if (!userEchoSkipped && it.type === 'message' && (it as { role?: string }).role === 'user' && messageText(it) === tu.userText) {
        userEchoSkipped = true;
        continue;
      }
      const md = itemMarkdown(it, toolNames);
      if (md) parts.push(md);
    }
    for (const it of tu.progress?.items ?? []) {
      const md = itemMarkdown(it, toolNames);
      if (md) parts.push(md);
    }
    for (const s of tu.progress?.streaming ?? []) if (s.text !== '') parts.push(`${s.text}\n\n_(unfinished)_`);
    const note = STATUS_NOTE[tu.status];
    if (note) parts.push(`_${note}${tu.error ? `: ${tu.error}` : '.'}_`);
  });
  return parts.join('\n\n');
}

export function archiveToMarkdown(archive: ThreadArchive): string {
  if (archive.threads.length === 1) return `${threadMarkdown(archive.threads[0]!, '#')}\n`;
  const head = `# Switchboard threads\n\n_Exported ${archive.exportedAt}_`;
  return `${[head, ...archive.threads.map((t) => threadMarkdown(t, '##'))].join('\n\n---\n\n')}\n`;
}

// ---- file names ----

function slug(title: string): string {
  const s = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return s || 'thread';
}

export function archiveFileName(kind: 'json' | 'md', scope: { title: string } | 'all', date: Date): string {
  const day = date.toISOString().slice(0, 10);
  const name = scope === 'all' ? `switchboard-threads-${day}` : `switchboard-${slug(scope.title)}-${day}`;
  return `${name}.${kind}`;
}

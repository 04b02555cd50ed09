// Turns the user's request into the things the offline agent was asked to do (intents). Pure
// text work with a few predictable phrases (listed in offlineAgent.ts); anything else is no
// intent at all, and the agent then says what it understands.
//
// A message may hold several asks: one per line, or joined by ";", ", then", " and then", or
// " and <verb>" (verbs below), or separate sentences. Quoted text (`…`, "…") and fenced blocks are
// set aside first, so nothing inside them is split or mistaken for a verb.
import { resolveWorkspacePath } from '../../../src/core/workspace.ts';

export type IntentBody =
  | { kind: 'scaffold'; folder: string }
  | { kind: 'write'; path: string; content: string }
  | { kind: 'run'; code: string }
  | { kind: 'grep'; pattern: string; path?: string; glob?: string }
  | { kind: 'delete'; path: string }
  | { kind: 'move'; from: string; to: string }
  | { kind: 'append'; path: string; text: string }
  | { kind: 'read'; path: string }
  | { kind: 'list'; path: string }
  /** Understood, but something needed is missing (the content to write, the code to run). */
  | { kind: 'incomplete'; hint: string };

/** `ask`: the words the intent came from, for reports ("skipped: …"). */
export type Intent = IntentBody & { ask: string };

export const DEFAULT_PROJECT_FOLDER = 'demo-project';
/** What "add a line to notes.md" adds when it does not say what. */
export const DEFAULT_APPENDED_TEXT = "Added by Switchboard's offline engine.";

const WRITE_HINT = 'Tell me what to write: `write notes.md: some text`, or `write notes.md` followed by a fenced block.';
const RUN_HINT = 'Give me the code: ``run `1 + 2` ``, or `run this:` followed by a fenced js block. (run_js runs JavaScript in a sandbox that cannot see the workspace.)';

interface FencedBlock {
  language: string;
  body: string;
  /** Line of the request (after blocks were set aside) where the block stands. */
  line: number;
  claimed: boolean;
}

/** Placeholders: control characters no one types, and no whitespace, so each stays one token. */
const BLOCK_MARK = '\u0001';
const QUOTE_MARK = '\u0002';
const BLOCK_TOKEN = /\u0001(\d+)\u0001/;
const ONLY_BLOCK = /^\s*\u0001(\d+)\u0001\s*$/;
const ONLY_QUOTE = /^\u0002(\d+)\u0002$/;

/** An opening fence (anywhere on a line, with an info string), its body, a closing fence on its own line. */
const FENCED = /(`{3,}|~{3,})([^\n`]*)\n((?:[\s\S]*?\n)??)[ \t]*\1[ \t]*(?=\n|$)/g;
const QUOTED = /`([^`\n]+)`|"([^"\n]+)"|“([^”\n]+)”|(?<=^|[\s(:])'([^'\n]+)'(?=$|[\s.,;:!?)])/g;

const VERBS = String.raw`(?:list|ls|show|read|open|cat|view|write|save|create|make|build|scaffold|generate|set\s*up|run|execute|eval|grep|search|find|look\s+for|delete|remove|rm|rename|move|mv|add|append|insert|please)`;
const CLAUSE_BREAK = new RegExp(
  [
    String.raw`\s*;\s*`,
    String.raw`\s*,?\s*\b(?:and\s+)?then\b\s*`,
    String.raw`\s*,?\s+and\s+(?=(?:also\s+)?${VERBS}\b)`,
    String.raw`(?<=[.!?])\s+(?=${VERBS}\b)`,
    String.raw`,\s+(?=${VERBS}\b)`,
  ].join('|'),
  'i',
);

/** "write <path>: content" anywhere on a line; the content is the rest of that line (or what follows). */
const WRITE_WITH_COLON =
  /(?:^|\s)(write|save|put|create)\s+(?:(?:the|a|new)\s+)*(?:file\s+)?(?:(?:called|named|to|into)\s+)?(?:([`'"])([^`'"\n:]+)\2|([^\s`'":]+))\s*:(?=\s|$)[ \t]?(.*)$/i;
const WRITE_WITHOUT_COLON =
  /\b(write|save|create)\s+(?:(?:the|a|new)\s+)*(?:file\s+)?(?:(?:called|named|to|into)\s+)?(\S+)(?:\s+(?:with|containing)\s+(?:the\s+)?(?:text\s+|content\s+)?(.+))?/i;

const SCAFFOLD_VERB = /\b(?:create|make|build|scaffold|generate|set\s*up|start|bootstrap|init(?:iali[sz]e)?|new)\b/i;
const SCAFFOLD_NOUN = /\b(project|app|application|website|site|demo)\b(?![./\w-])/i;
const SCAFFOLD_ALONE = /^\s*(?:please\s+)?scaffold\b/i;
const RUN = /\b(?:run|execute|eval(?:uate)?)\b\s*(.*)$/i;
const RUN_FILLER = /^(?:(?:this|that|it|the\s+following|following|some|the)\b\s*)*(?:(?:js|javascript|node|code|snippet|script)\b\s*)*:?\s*/i;
/** Unquoted text after "run" counts as code only if it looks like some ("run the tests" does not). */
const CODE_LIKE = /[()=;{}[\]]|=>|\d\s*[-+*/%<>]\s*\d|^\d+$/;
const GREP =
  /\b(?:grep|search|find|look\s+for)\b\s+(?:(?:the\s+)?(?:code|files|workspace|project|repo)\s+)?(?:for\s+)?(\S+)(?:\s+(?:in|under|within|inside)\s+(?:the\s+)?(?:folder\s+|directory\s+|files?\s+)?(\S+))?/i;
const MOVE = /\b(rename|move|mv)\s+(?:the\s+)?(?:file\s+)?(\S+)\s+(to|as|into|->|→)\s+(?:the\s+)?(?:folder\s+|directory\s+)?(\S+)/i;
const DELETE = /\b(?:delete|remove|rm|erase)\s+(?:the\s+)?(?:file\s+)?(\S+)/i;
const APPEND =
  /\b(?:add|append|insert)\b\s*(.*?)\s+(?:to|onto|into|at\s+the\s+end\s+of)\s+(?:the\s+)?(?:end\s+of\s+)?(?:the\s+)?(?:file\s+)?(\S+)\s*$/i;
const APPEND_FILLER =
  /^(?:(?:a|an|the|new|one|another)\s+)*(?:line|lines|sentence|note|comment|entry|row)?\s*(?:(?:saying|that\s+says|reading|with(?:\s+the\s+text)?|containing|of)\b\s*)?:?\s*/i;
/** "read|open|cat|view|show me [the] [contents of] [the] [file] <path>" */
const READ = /\b(?:read|open|cat|view|show\s+me)\s+(?:the\s+)?(?:contents?\s+of\s+)?(?:the\s+)?(?:file\s+)?(\S+)/i;
const LIST = /\b(?:list|ls|files|tree)\b/i;
const LIST_PLACE = /\b(?:in|of|under|inside)\s+(?:the\s+)?(?:folder\s+|directory\s+|dir\s+)?(\S+)/i;

/** Words that follow a verb in ordinary sentences but are not paths ("show me the files"). */
const NOT_A_PATH = new Set([
  'a', 'all', 'an', 'anything', 'code', 'contents', 'dir', 'directory', 'everything', 'file', 'files', 'folder', 'for',
  'here', 'in', 'it', 'line', 'lines', 'me', 'my', 'of', 'on', 'our', 'out', 'project', 'repo', 'repository', 'root',
  'some', 'something', 'text', 'that', 'the', 'them', 'there', 'this', 'to', 'up', 'what', 'with', 'workspace', 'your',
]);
/** Words after "find/search" that are not what to search for ("find the file …", "find out"). */
const NOT_A_PATTERN = new Set(['a', 'all', 'an', 'called', 'everything', 'file', 'files', 'how', 'it', 'me', 'named', 'out', 'the', 'what', 'where', 'which']);
/** Words that describe a project without naming it ("a small JS project" → demo-project). */
const GENERIC_PROJECT_WORDS = new Set([
  'a', 'an', 'basic', 'complete', 'demo', 'es', 'example', 'full', 'hello', 'javascript', 'js', 'little', 'me', 'minimal',
  'modern', 'module', 'my', 'new', 'nice', 'node', 'nodejs', 'plain', 'quick', 'real', 'sample', 'simple', 'single', 'small',
  'some', 'starter', 'test', 'the', 'tiny', 'vanilla', 'web', 'working',
]);

/** Parses the request into intents, in the order they were asked. */
export function parseIntents(request: string): Intent[] {
  const blocks: FencedBlock[] = [];
  const withoutBlocks = request.replace(FENCED, (_all, _fence: string, info: string, body: string) => {
    blocks.push({ language: info.trim().split(/\s+/)[0]?.toLowerCase() ?? '', body: body.replace(/\n$/, ''), line: -1, claimed: false });
    return ` ${BLOCK_MARK}${blocks.length - 1}${BLOCK_MARK} `;
  });
  const lines = withoutBlocks.split('\n');
  lines.forEach((line, index) => {
    for (const match of line.matchAll(new RegExp(BLOCK_TOKEN, 'g'))) blocks[Number(match[1])]!.line = index;
  });

  const found: { intent: Intent | NeedsBlock; line: number }[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.trim() === '' || ONLY_BLOCK.test(line)) continue;
    const write = WRITE_WITH_COLON.exec(line);
    const writePath = write
      ? cleanPath(write[3] ?? write[4]!, { requireExtension: write[1]!.toLowerCase() === 'create', quoted: write[3] !== undefined })
      : undefined;
    // What precedes "write x:" on the line is asked first ("create a project and write notes.md: …").
    const before = write && writePath !== undefined ? line.slice(0, write.index).replace(/(?:\s*,|\s+and|\s+then)+\s*$/i, '') : line;
    for (const clause of splitClauses(before)) {
      const intent = parseClause(clause, blocks);
      if (intent) found.push({ intent, line: index });
    }
    if (!write || writePath === undefined) continue;
    const ask = `${write[1]} ${writePath}:`;
    const rest = write[5]!.trimEnd();
    const block = ONLY_BLOCK.exec(rest);
    if (block) {
      found.push({ intent: { kind: 'write', path: writePath, content: withFinalNewline(claim(blocks, Number(block[1]))), ask }, line: index });
    } else if (rest !== '') {
      found.push({ intent: { kind: 'write', path: writePath, content: withFinalNewline(restoreBlocks(rest, blocks)), ask }, line: index });
    } else {
      // The colon ends the line: the content is the fenced block right below, or every line after it.
      const following = lines.slice(index + 1);
      const next = following.find((text) => text.trim() !== '');
      const nextBlock = next === undefined ? null : ONLY_BLOCK.exec(next);
      if (nextBlock) {
        found.push({ intent: { kind: 'write', path: writePath, content: withFinalNewline(claim(blocks, Number(nextBlock[1]))), ask }, line: index });
        index = index + 1 + following.indexOf(next!);
      } else {
        const content = restoreBlocks(following.join('\n'), blocks).replace(/\s+$/, '');
        found.push({ intent: content === '' ? { kind: 'incomplete', hint: WRITE_HINT, ask } : { kind: 'write', path: writePath, content: `${content}\n`, ask }, line: index });
        index = lines.length;
      }
    }
  }
  return found.map(({ intent, line }) => (intent.kind === 'needs-block' ? attachBlock(intent, line, blocks) : intent));
}

/** A write or run whose content is a fenced block somewhere in the message. */
interface NeedsBlock {
  kind: 'needs-block';
  ask: string;
  complete(body: string): Intent;
  hint: string;
}

/** The first unclaimed block at or after the ask's line, else the last one before it. */
function attachBlock(pending: NeedsBlock, line: number, blocks: FencedBlock[]): Intent {
  const after = blocks.findIndex((block) => !block.claimed && block.line >= line);
  const before = blocks.findLastIndex((block) => !block.claimed && block.line < line);
  const index = after !== -1 ? after : before;
  if (index === -1) return { kind: 'incomplete', hint: pending.hint, ask: pending.ask };
  return pending.complete(claim(blocks, index));
}

function claim(blocks: FencedBlock[], index: number): string {
  const block = blocks[index]!;
  block.claimed = true;
  return block.body;
}

function splitClauses(line: string): { text: string; quotes: string[] }[] {
  const quotes: string[] = [];
  const protectedLine = line.replace(QUOTED, (_all, ...groups: (string | undefined)[]) => {
    quotes.push(groups.slice(0, 4).find((group) => group !== undefined) ?? '');
    return `${QUOTE_MARK}${quotes.length - 1}${QUOTE_MARK}`;
  });
  return protectedLine
    .split(CLAUSE_BREAK)
    .map((text) => text?.trim() ?? '')
    .filter((text) => text !== '')
    .map((text) => ({ text, quotes }));
}

function parseClause(clause: { text: string; quotes: string[] }, blocks: FencedBlock[]): Intent | NeedsBlock | undefined {
  const { text } = clause;
  const restore = (value: string): string => restoreBlocks(value.replace(/\u0002(\d+)\u0002/g, (_all, n: string) => clause.quotes[Number(n)] ?? ''), blocks);
  const unquoted = (token: string): string | undefined => {
    const only = ONLY_QUOTE.exec(token.replace(/[.,;:!?)]+$/, ''));
    return only ? clause.quotes[Number(only[1])] : undefined;
  };
  const path = (token: string | undefined, options: PathOptions = {}): string | undefined =>
    token === undefined ? undefined : cleanPath(unquoted(token) ?? restore(token), { ...options, quoted: unquoted(token) !== undefined });
  const ask = restore(text);

  if ((SCAFFOLD_VERB.test(text) && SCAFFOLD_NOUN.test(text)) || SCAFFOLD_ALONE.test(text)) {
    return { kind: 'scaffold', folder: scaffoldFolder(text, path), ask };
  }

  const write = WRITE_WITHOUT_COLON.exec(text);
  const writePath = write ? path(write[2], { requireExtension: write[1]!.toLowerCase() === 'create' }) : undefined;
  if (write && writePath !== undefined) {
    const inline = write[3]?.trim();
    const blockRef = inline === undefined ? null : BLOCK_TOKEN.exec(inline);
    if (blockRef) return { kind: 'write', path: writePath, content: withFinalNewline(claim(blocks, Number(blockRef[1]))), ask };
    if (inline) return { kind: 'write', path: writePath, content: withFinalNewline(unquoted(inline) ?? restore(inline)), ask };
    return { kind: 'needs-block', ask, hint: WRITE_HINT, complete: (body) => ({ kind: 'write', path: writePath, content: withFinalNewline(body), ask }) };
  }

  const run = RUN.exec(text);
  if (run) {
    const rest = run[1]!.replace(RUN_FILLER, '').trim();
    const blockRef = BLOCK_TOKEN.exec(rest);
    if (blockRef) return { kind: 'run', code: claim(blocks, Number(blockRef[1])), ask };
    const quoted = /\u0002(\d+)\u0002/.exec(rest);
    if (quoted) return { kind: 'run', code: clause.quotes[Number(quoted[1])] ?? '', ask };
    if (rest !== '' && CODE_LIKE.test(rest)) return { kind: 'run', code: restore(rest), ask };
    return { kind: 'needs-block', ask, hint: RUN_HINT, complete: (body) => ({ kind: 'run', code: body, ask }) };
  }

  const grep = GREP.exec(text);
  const pattern = grep ? (unquoted(grep[1]!) ?? restore(grep[1]!).replace(/[.,;:!?]+$/, '')) : undefined;
  if (grep && pattern && (unquoted(grep[1]!) !== undefined || !NOT_A_PATTERN.has(pattern.toLowerCase()))) {
    const target = grep[2] === undefined ? undefined : (unquoted(grep[2]) ?? restore(grep[2]).replace(/[.,;:!?)]+$/, ''));
    if (target !== undefined && /[*?]/.test(target)) return { kind: 'grep', pattern, glob: target, ask };
    const where = path(grep[2]);
    return where === undefined ? { kind: 'grep', pattern, ask } : { kind: 'grep', pattern, path: where, ask };
  }

  const move = MOVE.exec(text);
  const from = move ? path(move[2]) : undefined;
  const rawTo = move ? (unquoted(move[4]!) ?? restore(move[4]!).replace(/[.,;:!?)]+$/, '')) : undefined;
  const to = move ? path(move[4]) : undefined;
  if (move && from !== undefined && to !== undefined) {
    // "move a.txt into docs" / "move a.txt to docs/": into that folder, keeping the name.
    const intoFolder = move[3]!.toLowerCase() === 'into' || rawTo!.endsWith('/');
    return { kind: 'move', from, to: intoFolder ? `${to}/${from.split('/').at(-1)}` : to, ask };
  }

  const del = DELETE.exec(text);
  const deleted = del ? path(del[1]) : undefined;
  if (deleted !== undefined) return { kind: 'delete', path: deleted, ask };

  const append = APPEND.exec(text);
  const appendPath = append ? path(append[2]) : undefined;
  if (append && appendPath !== undefined) {
    const words = append[1]!.replace(APPEND_FILLER, '').trim();
    const appended = unquoted(words) ?? restore(words).replace(/^["'`]|["'`]$/g, '');
    return { kind: 'append', path: appendPath, text: appended === '' ? DEFAULT_APPENDED_TEXT : appended, ask };
  }

  const read = READ.exec(text);
  const readPath = read ? path(read[1]) : undefined;
  if (readPath !== undefined) return { kind: 'read', path: readPath, ask };

  if (LIST.test(text)) {
    const place = LIST_PLACE.exec(text);
    return { kind: 'list', path: path(place?.[1]) ?? '', ask };
  }
  return undefined;
}

/** The folder a scaffold goes to: named ("called x", "in folder x", "scaffold x"), described
 *  ("a todo app" → todo-app), or DEFAULT_PROJECT_FOLDER. */
function scaffoldFolder(text: string, path: (token: string | undefined, options?: PathOptions) => string | undefined): string {
  const named = /\b(?:called|named)\s+(\S+)/i.exec(text);
  const fromName = folderName(path(named?.[1]));
  if (fromName) return fromName;

  const located = /\b(?:in|into|at|under)\s+(?:(?:a|the)\s+)?(?:(?:new\s+)?(folder|directory|dir)\s+)?(\S+)/i.exec(text);
  if (located) {
    const token = located[2]!;
    // "in React" is a wish, not a place; a folder keyword, quotes or a path-like name make it one.
    const pathLike = located[1] !== undefined || ONLY_QUOTE.test(token.replace(/[.,;:!?)]+$/, '')) || /[/_.\-\d]/.test(token.replace(/[.,;:!?)]+$/, ''));
    const fromPlace = pathLike ? folderName(path(token)) : undefined;
    if (fromPlace) return fromPlace;
  }

  const direct = /\bscaffold\s+(?:(?:a|an|the|my|new)\s+)*(\S+)(\s*)$/i.exec(text) ?? /\bscaffold\s+(?:(?:a|an|the|my|new)\s+)*(\S*[/_.\-\d]\S*)/i.exec(text);
  const token = direct?.[1];
  if (token && !/^(?:project|app|application|website|site|demo)$/i.test(token) && !GENERIC_PROJECT_WORDS.has(token.toLowerCase())) {
    const fromScaffold = folderName(path(token));
    if (fromScaffold) return fromScaffold;
  }

  const described = /\b(?:a|an|the|my|new|some)\s+((?:[a-z][\w-]*\s+){1,3}?)(project|app|application|website|site)\b/i.exec(text);
  const words = (described?.[1] ?? '').trim().split(/\s+/).map((word) => word.toLowerCase()).filter((word) => word !== '' && !GENERIC_PROJECT_WORDS.has(word));
  if (words.length > 0) {
    const noun = described![2]!.toLowerCase() === 'application' ? 'app' : described![2]!.toLowerCase();
    return folderName(`${words.join('-')}-${noun}`) ?? DEFAULT_PROJECT_FOLDER;
  }
  return DEFAULT_PROJECT_FOLDER;
}

const FOLDER_NAME = /^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;

function folderName(candidate: string | undefined): string | undefined {
  if (candidate === undefined || !FOLDER_NAME.test(candidate)) return undefined;
  return candidate.split('/').every((part) => part !== '.' && part !== '..') ? candidate : undefined;
}

interface PathOptions {
  /** "create x" is a file only when x has an extension or a slash ("create notes" is not). */
  requireExtension?: boolean;
  /** Quoted text is taken as a path even if it is an ordinary word. */
  quoted?: boolean;
}

/** A workspace path from a word of the request, or undefined when the word is not one. */
function cleanPath(raw: string, options: PathOptions = {}): string | undefined {
  const text = options.quoted ? raw.trim() : raw.replace(/^[(`'"]+|[`'")]+$/g, '').replace(/[.,;:!?)]+$/, '');
  if (text === '' || text.includes(BLOCK_MARK) || text.includes(QUOTE_MARK)) return undefined;
  if (!options.quoted && NOT_A_PATH.has(text.toLowerCase())) return undefined;
  if (options.requireExtension && !/[./]/.test(text)) return undefined;
  try {
    const resolved = resolveWorkspacePath(text);
    return resolved === '' ? undefined : resolved;
  } catch {
    return undefined;
  }
}

function restoreBlocks(text: string, blocks: FencedBlock[]): string {
  return text.replace(/\u0001(\d+)\u0001/g, (_all, n: string) => claim(blocks, Number(n)));
}

function withFinalNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

// Parses the Codex apply_patch format into a typed AST. Pure text work: paths are neither
// resolved nor checked against a workspace here (planPatch does that), so the parser can run
// anywhere, e.g. to show a patch while it waits for approval.
//
// The format, one token per line (blank = empty or whitespace-only):
//   patch     := blank* "*** Begin Patch" operation+ "*** End Patch" blank*
//   operation := add | delete | update              (blank lines may separate operations)
//   add       := "*** Add File: " path  ("+" text)*
//   delete    := "*** Delete File: " path
//   update    := "*** Update File: " path ("*** Move to: " path)? hunk*   (≥ 1 hunk unless moved)
//   hunk      := ("@@" | "@@ " header) hunkLine+ "*** End of File"?
//   hunkLine  := (" " | "-" | "+") text  |  ""      ("" is an empty context line)
//
// Every error names the line of the patch, what was expected there and what was found, so a
// model can fix its patch in one more try.

import { resolveWorkspacePath } from '../workspace.ts';

export type HunkLineKind = 'context' | 'remove' | 'add';

export interface HunkLine {
  kind: HunkLineKind;
  /** The line without its one-character prefix, and without any line ending. */
  text: string;
  /** 1-based line number in the patch text. */
  line: number;
}

export interface Hunk {
  /** The text after "@@ ": a line of the file (a function signature…) the hunk comes after. */
  header: string | null;
  lines: HunkLine[];
  /** "*** End of File": the hunk's old lines are expected at the very end of the file. */
  endOfFile: boolean;
  /** Line number of the hunk's "@@". */
  line: number;
}

export type FileOperation =
  | { kind: 'add'; path: string; lines: string[]; line: number }
  | { kind: 'delete'; path: string; line: number }
  | { kind: 'update'; path: string; moveTo: { path: string; line: number } | null; hunks: Hunk[]; line: number };

export interface Patch {
  operations: FileOperation[];
}

export class PatchParseError extends Error {
  constructor(
    /** 1-based line in the patch text; one past the last line for "end of patch text". */
    readonly line: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`patch line ${line}: expected ${expected}, found ${found}`);
    this.name = 'PatchParseError';
  }
}

const BEGIN = '*** Begin Patch';
const END = '*** End Patch';
const END_OF_FILE = '*** End of File';
const ADD = '*** Add File:';
const DELETE = '*** Delete File:';
const UPDATE = '*** Update File:';
const MOVE = '*** Move to:';
const OPERATION = `'${ADD} <path>', '${DELETE} <path>', '${UPDATE} <path>' or '${END}'`;
const HUNK_LINE = "a hunk line starting with ' ' (context), '-' (remove) or '+' (add)";
/** Long lines are cut in messages: the model needs to recognise the line, not reread it. */
const QUOTE_MAX_CHARS = 120;

/** `found` text for a line: quoted and cut, or "end of patch text". */
function quote(line: string | undefined): string {
  if (line === undefined) return 'end of patch text';
  const cut = line.length > QUOTE_MAX_CHARS ? `${line.slice(0, QUOTE_MAX_CHARS)}…` : line;
  return JSON.stringify(cut);
}

const isBlank = (line: string) => line.trim() === '';

type Directive =
  | { kind: 'begin' | 'end' | 'endOfFile' }
  | { kind: 'add' | 'delete' | 'update' | 'move'; path: string }
  | { kind: 'unknown' };

/** Reads a "***" line. Trailing whitespace is forgiven (models and editors leave it); leading
 *  whitespace is not, because inside a hunk " *** x" is a context line. */
function readDirective(raw: string): Directive | null {
  if (!raw.startsWith('***')) return null;
  const line = raw.trimEnd();
  if (line === BEGIN) return { kind: 'begin' };
  if (line === END) return { kind: 'end' };
  if (line === END_OF_FILE) return { kind: 'endOfFile' };
  const withPath = [
    ['add', ADD],
    ['delete', DELETE],
    ['update', UPDATE],
    ['move', MOVE],
  ] as const;
  for (const [kind, prefix] of withPath) if (line.startsWith(prefix)) return { kind, path: line.slice(prefix.length).trim() };
  return { kind: 'unknown' };
}

/** Line-number ranges of git's "@@ -12,7 +12,8 @@": the Codex format has none, and silently
 *  treating them as an anchor line would only produce a confusing "context not found" later. */
const GIT_RANGE_HEADER = /^@@ -\d+(,\d+)? \+\d+(,\d+)? @@/;

/** Same file, same key: "./a.txt" and "a.txt" collide. Paths that escape the workspace keep
 *  their raw text here; planPatch refuses them with its own message. */
function pathKey(raw: string): string {
  try {
    return resolveWorkspacePath(raw);
  } catch {
    return raw;
  }
}

class Parser {
  private index = 0;
  /** Resolved path (or the raw text when it does not resolve) → line of the operation using it. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly lines: string[]) {}

  parse(): Patch {
    this.skipBlank();
    const first = this.peek();
    if (first === undefined) throw new PatchParseError(1, `'${BEGIN}'`, 'an empty patch');
    if (readDirective(first)?.kind !== 'begin') this.fail(`'${BEGIN}'`, quote(first));
    this.index++;
    const operations: FileOperation[] = [];
    for (;;) {
      this.skipBlank();
      const raw = this.peek();
      if (raw === undefined) this.fail(operations.length === 0 ? OPERATION : `another operation or '${END}'`, quote(raw));
      const directive = readDirective(raw);
      if (directive?.kind === 'end') {
        if (operations.length === 0) this.fail(`at least one file operation (${OPERATION.replace(` or '${END}'`, '')})`, quote(raw));
        this.index++;
        break;
      }
      operations.push(this.operation(raw, directive));
    }
    this.skipBlank();
    if (this.peek() !== undefined) this.fail(`nothing after '${END}'`, quote(this.peek()));
    return { operations };
  }

  private operation(raw: string, directive: Directive | null): FileOperation {
    const line = this.lineNumber();
    switch (directive?.kind) {
      case 'add': {
        const path = this.claimPath(directive.path, 'Add File');
        this.index++;
        const lines: string[] = [];
        for (let next = this.peek(); next !== undefined && next.startsWith('+'); next = this.peek()) {
          lines.push(next.slice(1));
          this.index++;
        }
        // Whatever follows must start the next operation; say so at this line, with Add's rule.
        const next = this.peek();
        if (next !== undefined && !isBlank(next) && !next.startsWith('***')) this.fail(`a line starting with '+' (content of the added file) or the next operation`, quote(next));
        return { kind: 'add', path, lines, line };
      }
      case 'delete': {
        const path = this.claimPath(directive.path, 'Delete File');
        this.index++;
        return { kind: 'delete', path, line };
      }
      case 'update':
        return this.update(directive.path, line);
      case 'move':
        return this.fail(`${OPERATION} ('${MOVE}' must directly follow '${UPDATE}')`, quote(raw));
      case 'endOfFile':
        return this.fail(`${OPERATION} ('${END_OF_FILE}' may only end a hunk)`, quote(raw));
      case 'begin':
        return this.fail(OPERATION, `a second ${quote(raw)}`);
      case 'unknown':
        return this.fail(OPERATION, `an unknown directive ${quote(raw)}`);
      default:
        return this.fail(OPERATION, quote(raw));
    }
  }

  private update(rawPath: string, line: number): FileOperation {
    const path = this.claimPath(rawPath, 'Update File');
    this.index++;
    let moveTo: { path: string; line: number } | null = null;
    const maybeMove = this.peek();
    const moveDirective = maybeMove === undefined ? null : readDirective(maybeMove);
    if (moveDirective?.kind === 'move') {
      if (moveDirective.path !== '' && pathKey(moveDirective.path) === pathKey(rawPath)) this.fail(`a new path in '${MOVE}'`, `the file's own path ${quote(moveDirective.path)}`);
      moveTo = { path: this.claimPath(moveDirective.path, 'Move to'), line: this.lineNumber() };
      this.index++;
    }
    const hunks: Hunk[] = [];
    for (;;) {
      this.skipBlank();
      const next = this.peek();
      if (next === undefined || next.startsWith('***')) break;
      if (hunks.at(-1)?.endOfFile) this.fail(`the next operation or '${END}' (a hunk marked '${END_OF_FILE}' must be the file's last)`, quote(next));
      if (!next.startsWith('@@')) this.fail(hunks.length === 0 ? `'@@' or '@@ <line of the file>' to start a hunk of "${rawPath}"` : `'@@' to start the next hunk, or ${HUNK_LINE}`, quote(next));
      hunks.push(this.hunk(next, hunks.length + 1, rawPath));
    }
    if (hunks.length === 0 && moveTo === null) this.fail(`a hunk ('@@') for "${rawPath}"`, quote(this.peek()));
    return { kind: 'update', path, moveTo, hunks, line };
  }

  private hunk(headerLine: string, number: number, path: string): Hunk {
    const line = this.lineNumber();
    if (GIT_RANGE_HEADER.test(headerLine)) this.fail(`'@@' or '@@ <line of the file>' (line-number ranges are not used: hunks are found by their context)`, quote(headerLine));
    if (headerLine.length > 2 && headerLine[2] !== ' ') this.fail(`'@@' or '@@ <line of the file>'`, quote(headerLine));
    // Keep the header's indentation: an exact match beats a whitespace-tolerant one.
    const rest = headerLine.slice(3).trimEnd();
    const header = rest.trim() === '' ? null : rest;
    this.index++;
    const lines: HunkLine[] = [];
    let endOfFile = false;
    for (let raw = this.peek(); raw !== undefined; raw = this.peek()) {
      if (raw.startsWith('@@')) break;
      if (raw.startsWith('***')) {
        if (readDirective(raw)?.kind === 'endOfFile') {
          if (lines.length === 0) this.fail(`at least one line in hunk ${number} of "${path}" before '${END_OF_FILE}'`, quote(raw));
          endOfFile = true;
          this.index++;
        }
        break;
      }
      const kind = raw === '' ? 'context' : raw[0] === ' ' ? 'context' : raw[0] === '-' ? 'remove' : raw[0] === '+' ? 'add' : null;
      if (kind === null) this.fail(HUNK_LINE, quote(raw));
      lines.push({ kind, text: raw.slice(1), line: this.lineNumber() });
      this.index++;
    }
    // Bare empty lines at a hunk's end are taken for separators, not context: models put one
    // before the next "@@" or "***". Dropping trailing context only makes the match looser.
    while (lines.length > 0 && lines.at(-1)!.kind === 'context' && this.lines[lines.at(-1)!.line - 1] === '') lines.pop();
    if (lines.length === 0) this.fail(`at least one line in hunk ${number} of "${path}" (${HUNK_LINE})`, quote(this.peek()));
    return { header, lines, endOfFile, line };
  }

  /** Records a path an operation touches; one path, one operation (a move's target included),
   *  because the result of two edits to one file would depend on their order. */
  private claimPath(raw: string, what: string): string {
    if (raw === '') this.fail(`a path after '*** ${what}:'`, quote(this.peek()));
    const key = pathKey(raw);
    const first = this.seen.get(key);
    if (first !== undefined) this.fail(`each path in at most one operation`, `"${raw}" again (first used on line ${first})`);
    this.seen.set(key, this.lineNumber());
    return raw;
  }

  private peek(): string | undefined {
    return this.lines[this.index];
  }

  private lineNumber(): number {
    return this.index + 1;
  }

  private skipBlank() {
    while (this.index < this.lines.length && isBlank(this.lines[this.index]!)) this.index++;
  }

  private fail(expected: string, found: string): never {
    throw new PatchParseError(this.lineNumber(), expected, found);
  }
}

/** Parses patch text; throws a PatchParseError naming the line at the first problem. CRLF line
 *  endings and a trailing newline in the patch text are accepted. */
export function parsePatch(text: string): Patch {
  const lines = text.split(/\r?\n/);
  // The empty string after a final newline is not a line: errors at the end then name the line
  // just after the last one.
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  return new Parser(lines).parse();
}

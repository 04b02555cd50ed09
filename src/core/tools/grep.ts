// grep: lines matching a JavaScript regular expression, as "path:line: text", across the files
// under a directory (or in one file), optionally filtered by a glob.
//
// The search runs on the broker's thread, so it is bounded on every axis: files read, bytes per
// file, matches reported, characters per reported line.

import { RE2JS } from 're2js';
import type { Workspace, WorkspaceEntry } from '../workspace.ts';
import { compileGlob, globHasPath } from './glob.ts';
import { cutLine, errorText, looksBinary, plural, TOOL_OUTPUT_MAX_CHARS } from './toolOutput.ts';
import { optionalBoolean, optionalString, refuseUnknownArguments, requiredString, ToolArgumentError, workspacePathArgument } from './toolArguments.ts';
import { readCall, type Tool } from './toolModule.ts';

/** Matches reported: past this the model should narrow its search rather than page through. */
export const GREP_MAX_MATCHES = 200;
/** Files read per search: a bound on the time one call can hold the broker's thread. */
export const GREP_MAX_FILES = 5000;
/** Bigger files are skipped (and listed): generated bundles, data, lock files. */
export const GREP_MAX_FILE_BYTES = 1024 * 1024;
/** A reported line is cut here: a match in minified code should not fill the output. */
export const GREP_MAX_LINE_CHARS = 300;
/** How deep below `path` the search goes; deeper trees are not worth a workspace listing. */
export const GREP_MAX_DEPTH = 64;
/** Directories not searched unless `path` points inside one: their files are rarely what a
 *  search is after, and there can be hundreds of thousands of them. */
export const GREP_SKIPPED_DIRECTORIES: readonly string[] = ['.git', 'node_modules'];
/** Files read at once: OPFS reads are asynchronous, and a few in flight hide their latency. */
const READ_CONCURRENCY = 16;
/** Skipped files named in the output; the rest are only counted. */
const SKIPPED_NAMED_MAX = 10;
/** Room kept under the output cap for the closing notes. */
const NOTES_RESERVE_CHARS = 1500;

export const grepTool: Tool = {
  definition: {
    type: 'function',
    name: 'grep',
    description:
      'Search file contents with a regular expression (RE2 syntax, as in ripgrep: no backreferences or lookaround; matched against each line; case-sensitive unless ignore_case). ' +
      'Prints each matching line as "path:line: text", files in path order. ' +
      `Searches the files under "path" (a directory, or a single file), skipping ${GREP_SKIPPED_DIRECTORIES.join(' and ')} unless "path" is inside one, binary files and files over ${GREP_MAX_FILE_BYTES / 1024 / 1024} MiB. ` +
      `Shows at most ${GREP_MAX_MATCHES} matches and reads at most ${GREP_MAX_FILES} files; a note says when the search was cut.`,
    parameters: {
      type: 'object',
      properties: {
        pattern: { type: 'string', description: 'JavaScript regular expression source, without slashes, e.g. "function\\\\s+load" or "TODO|FIXME".' },
        path: { type: 'string', description: 'Directory or file to search, relative to the workspace root. Default: the whole workspace.' },
        glob: {
          type: 'string',
          description:
            'Only search files matching this glob: "*", "?", "[a-z]", "{a,b}", "**" for any number of directories. ' +
            'Without a "/" it matches file names at any depth ("*.ts", "*.{js,jsx}"); with one, paths relative to the workspace root or to "path" ("src/**/*.test.ts").',
        },
        ignore_case: { type: 'boolean', description: 'Match letters regardless of case. Default false.' },
      },
      required: ['pattern'],
      additionalProperties: false,
    },
  },

  async prepare(args, { workspace }) {
    refuseUnknownArguments(args, ['pattern', 'path', 'glob', 'ignore_case']);
    const pattern = requiredString(args, 'pattern');
    const ignoreCase = optionalBoolean(args, 'ignore_case') ?? false;
    const regex = compilePattern(pattern, ignoreCase);
    const root = workspacePathArgument(optionalString(args, 'path') ?? '');
    const glob = optionalString(args, 'glob');
    const filter = glob === undefined || glob === '' ? null : fileFilter(glob, root);
    const where = `${root || '(workspace root)'}${glob ? ` (${glob})` : ''}`;
    return readCall(`grep: /${pattern}/ in ${where}`, `/${pattern}/${ignoreCase ? 'i' : ''} in ${where}`, () => search(workspace, regex, root, filter));
  },
};

/** A compiled search pattern: does a line contain a match? */
export interface LinePattern {
  readonly source: string;
  test(line: string): boolean;
}

/**
 * The model's pattern, compiled by RE2 (re2js): matching takes time linear in the line, whatever
 * the pattern. A JavaScript RegExp backtracks, so a pattern like `(a+)+$` — which a file the model
 * read could talk it into — would freeze the broker, every tab's stream with it, for minutes on
 * one long line. The price is RE2's syntax: no backreferences, no lookaround (ripgrep's default).
 */
export function compilePattern(pattern: string, ignoreCase: boolean): LinePattern {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (error) {
    throw new ToolArgumentError(`invalid regular expression /${pattern}/: ${errorText(error).replace(/^error parsing regexp: /, '')} (RE2 syntax: no backreferences or lookaround)`);
  }
  // test() answers "a match anywhere in the line" without building a Matcher per line.
  return { source: pattern, test: (line) => compiled.test(line) };
}

type FileFilter = (path: string) => boolean;

function fileFilter(glob: string, root: string): FileFilter {
  let regex: RegExp;
  try {
    regex = compileGlob(glob);
  } catch (error) {
    throw new ToolArgumentError(errorText(error));
  }
  if (!globHasPath(glob)) return (path) => regex.test(path.slice(path.lastIndexOf('/') + 1));
  // A path glob may be written from the root ("src/**/*.ts") or from `path` ("**/*.ts" under src).
  const prefix = root === '' ? '' : `${root}/`;
  return (path) => regex.test(path) || (path.startsWith(prefix) && regex.test(path.slice(prefix.length)));
}

/** Whether a file lies in a skipped directory below the search root. */
function inSkippedDirectory(path: string, root: string): boolean {
  const below = root === '' ? path : path.slice(root.length + 1);
  const directories = below.split('/').slice(0, -1);
  return directories.some((name) => GREP_SKIPPED_DIRECTORIES.includes(name));
}

interface SearchState {
  lines: string[];
  size: number;
  matches: number;
  /** Set when the match cap or the output budget stopped the search. */
  stoppedBy: 'matches' | 'output' | null;
  binary: string[];
  tooBig: string[];
  unreadable: string[];
}

async function search(workspace: Workspace, regex: LinePattern, root: string, filter: FileFilter | null): Promise<string> {
  const kind = await workspace.exists(root);
  if (kind === null) return `No file or directory "${root}".`;
  const entries: WorkspaceEntry[] = kind === 'file' ? [{ path: root, kind: 'file' }] : await workspace.list(root, GREP_MAX_DEPTH);
  let skippedDirectoryFiles = 0;
  const candidates = entries.filter((entry) => {
    if (entry.kind !== 'file') return false;
    if (filter && !filter(entry.path)) return false;
    if (inSkippedDirectory(entry.path, root)) {
      skippedDirectoryFiles++;
      return false;
    }
    return true;
  });
  const files = candidates.slice(0, GREP_MAX_FILES);
  const state: SearchState = { lines: [], size: 0, matches: 0, stoppedBy: null, binary: [], tooBig: [], unreadable: [] };
  const budget = TOOL_OUTPUT_MAX_CHARS - NOTES_RESERVE_CHARS;

  for (let i = 0; i < files.length && state.stoppedBy === null; i += READ_CONCURRENCY) {
    const batch = files.slice(i, i + READ_CONCURRENCY);
    const texts = await Promise.all(batch.map((entry) => readCandidate(workspace, entry)));
    for (const [j, text] of texts.entries()) {
      const path = batch[j]!.path;
      if (text === 'too-big') state.tooBig.push(path);
      else if (text === 'unreadable') state.unreadable.push(path);
      else if (looksBinary(text)) state.binary.push(path);
      else searchText(path, text, regex, state, budget);
      if (state.stoppedBy !== null) break;
    }
  }

  const notes: string[] = [];
  if (state.stoppedBy === 'matches') notes.push(`[match limit reached: showing the first ${GREP_MAX_MATCHES} matches; narrow the pattern, path or glob to see others]`);
  if (state.stoppedBy === 'output') notes.push(`[output limit reached after ${plural(state.matches, 'match', 'matches')}; narrow the pattern, path or glob to see others]`);
  if (candidates.length > files.length && state.stoppedBy === null) {
    notes.push(`[file limit reached: searched the first ${GREP_MAX_FILES} of ${candidates.length} files; narrow the path or glob to search the rest]`);
  }
  const skipped = (what: string, paths: string[]) => {
    if (paths.length === 0) return;
    const named = paths.slice(0, SKIPPED_NAMED_MAX).join(', ');
    notes.push(`[skipped ${plural(paths.length, what)}: ${named}${paths.length > SKIPPED_NAMED_MAX ? `, and ${paths.length - SKIPPED_NAMED_MAX} more` : ''}]`);
  };
  skipped('binary file', state.binary);
  skipped(`file over ${GREP_MAX_FILE_BYTES / 1024 / 1024} MiB`, state.tooBig);
  skipped('unreadable file', state.unreadable);
  if (skippedDirectoryFiles > 0) notes.push(`[not searched: ${plural(skippedDirectoryFiles, 'file')} in ${GREP_SKIPPED_DIRECTORIES.join('/')} directories; set "path" inside one to search it]`);

  if (state.matches === 0) {
    const where = kind === 'file' ? `"${root}"` : plural(files.length, 'file');
    return [`No matches for /${regex.source}/ in ${where}${filter ? ' matching the glob' : ''}.`, ...notes].join('\n');
  }
  return [...state.lines, ...notes].join('\n');
}

/** A file's text, or why it is not searched. Sizes come from the listing when it has them. */
async function readCandidate(workspace: Workspace, entry: WorkspaceEntry): Promise<string | 'too-big' | 'unreadable'> {
  if (entry.size !== undefined && entry.size > GREP_MAX_FILE_BYTES) return 'too-big';
  try {
    const text = await workspace.readText(entry.path);
    // A UTF-16 length is at most the UTF-8 byte count, so this only catches files the listing
    // gave no size for; it never skips a file under the limit.
    return text.length > GREP_MAX_FILE_BYTES ? 'too-big' : text;
  } catch {
    return 'unreadable';
  }
}

function searchText(path: string, text: string, regex: LinePattern, state: SearchState, budget: number): void {
  if (text === '') return; // an empty file has no lines, not one empty line
  let start = 0;
  for (let number = 1; start <= text.length; number++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    // A final newline ends the last line rather than starting an empty one.
    if (end === text.length && start === text.length && number > 1) return;
    const line = text.slice(start, end > start && text[end - 1] === '\r' ? end - 1 : end);
    start = end + 1;
    if (!regex.test(line)) continue;
    // Stop at the first match past the cap, so the note appears only when more really exist.
    if (state.matches >= GREP_MAX_MATCHES) {
      state.stoppedBy = 'matches';
      return;
    }
    const entry = `${path}:${number}: ${cutLine(line, GREP_MAX_LINE_CHARS)}`;
    if (state.size + entry.length + 1 > budget) {
      state.stoppedBy = 'output';
      return;
    }
    state.lines.push(entry);
    state.size += entry.length + 1;
    state.matches++;
  }
}

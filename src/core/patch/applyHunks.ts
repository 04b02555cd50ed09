// Applies one file's hunks to its text, in memory. Each hunk is looked for after the previous
// one (hunks are in file order), below its "@@ header" line when it names one.

import type { Hunk, HunkLine } from './parsePatch.ts';
import { createLineSearcher, type MatchQuality } from './seekSequence.ts';
import { joinLines, splitLines, type TextLine } from './textLines.ts';
import type { DiffLine } from './unifiedDiff.ts';

export interface HunkPlacement {
  /** 1-based hunk number within the file. */
  hunk: number;
  /** 1-based line of the original file where the hunk's old lines start (or where it inserts). */
  line: number;
  quality: MatchQuality;
}

export type HunksResult =
  | {
      ok: true;
      text: string;
      placements: HunkPlacement[];
      /** The whole file as an edit script, for the display diff. */
      diff: DiffLine[];
      /** Whether the file ends with a line break, before and after alike. */
      finalNewline: boolean;
    }
  | { ok: false; hunk: number; patchLine: number; reason: string };

/** Quoted file or patch line for a message; long lines are cut. */
function show(line: string): string {
  return JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line);
}

function searchedRange(from: number, total: number): string {
  return from >= total ? `(nothing left to search after line ${from} of ${total})` : `(searched lines ${from + 1}–${total} of the file)`;
}

export function applyHunks(original: string, hunks: readonly Hunk[]): HunksResult {
  const file = splitLines(original);
  const texts = file.lines.map((line) => line.text);
  const searcher = createLineSearcher(texts);
  const edits: { start: number; hunk: Hunk }[] = [];
  const placements: HunkPlacement[] = [];
  let cursor = 0;

  for (const [i, hunk] of hunks.entries()) {
    const number = i + 1;
    const fail = (patchLine: number, reason: string): HunksResult => ({ ok: false, hunk: number, patchLine, reason });
    let anchor: number | null = null;
    if (hunk.header !== null) {
      const found = searcher.seek([hunk.header], cursor);
      if (!found) return fail(hunk.line, `could not find the line named by "@@ ${hunk.header}" ${searchedRange(cursor, texts.length)}`);
      anchor = found.index;
    }
    const oldLines: HunkLine[] = hunk.lines.filter((line) => line.kind !== 'add');
    const old = oldLines.map((line) => line.text);
    let start: number;
    let quality: MatchQuality = 'exact';
    if (old.length === 0) {
      // Only '+' lines: below the anchor when there is one, else at the end (as Codex does).
      start = anchor !== null && !hunk.endOfFile ? anchor + 1 : texts.length;
    } else {
      // Search from the anchor line itself, not the line after: models often repeat the header
      // line as the hunk's first context line.
      const from = anchor ?? cursor;
      const found = searcher.seek(old, from, hunk.endOfFile);
      if (!found) return fail(...explainMiss(old, oldLines, from, hunk, anchor, texts, searcher));
      start = found.index;
      quality = found.quality;
    }
    edits.push({ start, hunk });
    placements.push({ hunk: number, line: start + 1, quality });
    cursor = start + old.length;
  }

  const { lines, diff } = spliceEdits(file.lines, edits);
  return { ok: true, text: joinLines({ ...file, lines }), placements, diff, finalNewline: file.finalNewline };
}

/** Builds the new line list and the edit script that produced it. Context lines keep the
 *  file's own text and ending: a match that tolerated whitespace must not rewrite lines the
 *  patch only quoted. */
function spliceEdits(original: readonly TextLine[], edits: readonly { start: number; hunk: Hunk }[]): { lines: TextLine[]; diff: DiffLine[] } {
  const lines: TextLine[] = [];
  const diff: DiffLine[] = [];
  let pos = 0;
  const keep = () => {
    const line = original[pos++]!;
    lines.push(line);
    diff.push({ kind: 'equal', text: line.text });
  };
  for (const { start, hunk } of edits) {
    while (pos < start) keep();
    for (const line of hunk.lines) {
      if (line.kind === 'context') keep();
      else if (line.kind === 'add') {
        lines.push({ text: line.text, ending: null });
        diff.push({ kind: 'add', text: line.text });
      } else diff.push({ kind: 'remove', text: original[pos++]!.text });
    }
  }
  while (pos < original.length) keep();
  return { lines, diff };
}

/** Names the first expected line that is not where the hunk needs it, and where we looked. */
function explainMiss(
  old: readonly string[],
  oldLines: readonly HunkLine[],
  from: number,
  hunk: Hunk,
  anchor: number | null,
  texts: readonly string[],
  searcher: ReturnType<typeof createLineSearcher>,
): [number, string] {
  const below = anchor !== null ? ` below "@@ ${hunk.header}" (file line ${anchor + 1})` : '';
  if (hunk.endOfFile) {
    const elsewhere = searcher.seek(old, from);
    if (elsewhere) return [hunk.line, `its lines are at file line ${elsewhere.index + 1}, not at the end of the file as "*** End of File" says`];
  }
  // The whole sequence is not found from `from` (else we would not be here), so the culprit is
  // a line of the pattern.
  const missing = searcher.firstMissing(old, from);
  const culprit = oldLines[missing]!;
  const role = culprit.kind === 'remove' ? 'line to remove' : 'context line';
  if (missing === 0) return [culprit.line, `could not find the ${role} ${show(culprit.text)}${below} ${searchedRange(from, texts.length)}`];
  const prefix = searcher.seek(old.slice(0, missing), from)!;
  const there = texts[prefix.index + missing];
  const actual = there === undefined ? 'the end of the file' : `file line ${prefix.index + missing + 1} is ${show(there)}`;
  return [
    culprit.line,
    `could not find the ${role} ${show(culprit.text)}: the ${missing} line${missing === 1 ? '' : 's'} before it match at file line ${prefix.index + 1}${below}, but then ${actual} ${searchedRange(from, texts.length)}`,
  ];
}

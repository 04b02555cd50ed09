// Unified diffs for showing a change to a person (approvals, the transcript), formatted from an
// edit script the caller already knows (a patch's hunks say exactly which lines stay, go and
// come), so no diff algorithm runs: a general one (Myers, as in jsdiff) took 35 s on a
// 10,000-line change, which would stall the broker's worker for every tab.

export interface DiffLine {
  kind: 'equal' | 'remove' | 'add';
  /** Without its line ending: a CRLF file's diff shows its changed lines, not a CR on each. */
  text: string;
}

/** One side of the diff; null where the file does not exist (shown as /dev/null). */
export interface DiffSide {
  path: string;
  /** Whether the file ends with a line break; when not, "\ No newline at end of file" follows
   *  its last line, as in git. */
  finalNewline: boolean;
}

/** Lines of unchanged context around each change, as in `git diff`. */
export const DIFF_CONTEXT_LINES = 3;

interface Row extends DiffLine {
  noNewline: boolean;
}

/** Marks the lines that end a file without a line break. An unchanged last line whose break
 *  comes or goes (lines appended after it) is shown as removed and added, as git does. */
function rowsOf(lines: readonly DiffLine[], oldSide: DiffSide | null, newSide: DiffSide | null): Row[] {
  const oldCount = lines.filter((l) => l.kind !== 'add').length;
  const newCount = lines.filter((l) => l.kind !== 'remove').length;
  const rows: Row[] = [];
  let oldIndex = 0;
  let newIndex = 0;
  for (const line of lines) {
    const oldLast = line.kind !== 'add' && oldIndex === oldCount - 1 && oldSide?.finalNewline === false;
    const newLast = line.kind !== 'remove' && newIndex === newCount - 1 && newSide?.finalNewline === false;
    if (line.kind !== 'add') oldIndex++;
    if (line.kind !== 'remove') newIndex++;
    if (line.kind === 'equal' && oldLast !== newLast) {
      rows.push({ kind: 'remove', text: line.text, noNewline: oldLast }, { kind: 'add', text: line.text, noNewline: newLast });
    } else {
      rows.push({ ...line, noNewline: oldLast || newLast });
    }
  }
  return rows;
}

/** Row index ranges [from, to) of the hunks: each change with its context, merged when the
 *  context of two changes would touch or overlap. */
function hunkRanges(rows: readonly Row[], context: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (const [i, row] of rows.entries()) {
    if (row.kind === 'equal') continue;
    const from = Math.max(0, i - context);
    const to = Math.min(rows.length, i + 1 + context);
    const last = ranges.at(-1);
    if (last && from <= last[1]) last[1] = to;
    else ranges.push([from, to]);
  }
  return ranges;
}

/** `@@ -start,count +start,count @@`: an empty side's start is the line before it, as in GNU diff. */
function rangeText(before: number, count: number): string {
  return `${count === 0 ? before : before + 1},${count}`;
}

export function unifiedDiff(oldSide: DiffSide | null, newSide: DiffSide | null, lines: readonly DiffLine[], context = DIFF_CONTEXT_LINES): string {
  const rows = rowsOf(lines, oldSide, newSide);
  let out = `--- ${oldSide ? `a/${oldSide.path}` : '/dev/null'}\n+++ ${newSide ? `b/${newSide.path}` : '/dev/null'}\n`;
  // Old and new line counts before each row, for the hunk headers.
  const oldBefore: number[] = [];
  const newBefore: number[] = [];
  let oldSeen = 0;
  let newSeen = 0;
  for (const row of rows) {
    oldBefore.push(oldSeen);
    newBefore.push(newSeen);
    if (row.kind !== 'add') oldSeen++;
    if (row.kind !== 'remove') newSeen++;
  }
  for (const [from, to] of hunkRanges(rows, context)) {
    const hunk = rows.slice(from, to);
    const oldCount = hunk.filter((r) => r.kind !== 'add').length;
    const newCount = hunk.filter((r) => r.kind !== 'remove').length;
    out += `@@ -${rangeText(oldBefore[from]!, oldCount)} +${rangeText(newBefore[from]!, newCount)} @@\n`;
    for (const row of hunk) {
      out += `${row.kind === 'equal' ? ' ' : row.kind === 'remove' ? '-' : '+'}${row.text}\n`;
      if (row.noNewline) out += '\\ No newline at end of file\n';
    }
  }
  return out;
}

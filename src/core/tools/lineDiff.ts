// The edit script between two versions of a file, line by line, for write_file's diff.
//
// unifiedDiff.ts deliberately runs no diff algorithm (a patch already knows its edit script, and
// a general diff took 35 s on a 10,000-line change in jsdiff). A whole-file write does not, so it
// gets a bounded one: the common head and tail are trimmed, then Myers' O(ND) algorithm runs on
// the middle with at most LINE_DIFF_MAX_EDITS edits. A middle that differs more than that is
// shown as all removed, then all added: still a correct diff, only a coarser one, and the time
// stays bounded (about N·D steps) whatever the input.

import type { DiffLine } from '../patch/unifiedDiff.ts';

/** Most edits (removed + added lines) the precise diff looks for, bounding time to about
 *  (lines × this) steps and memory to this² / 2 integers. */
export const LINE_DIFF_MAX_EDITS = 1000;

export function diffLines(before: readonly string[], after: readonly string[], maxEdits = LINE_DIFF_MAX_EDITS): DiffLine[] {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;

  const equal = (text: string): DiffLine => ({ kind: 'equal', text });
  const middle = myers(before.slice(head, before.length - tail), after.slice(head, after.length - tail), maxEdits);
  return [...before.slice(0, head).map(equal), ...middle, ...before.slice(before.length - tail).map(equal)];
}

/** Myers' greedy shortest edit script; past `maxEdits`, everything removed then added. Change
 *  blocks list their removed lines before their added ones, as git does. */
function myers(a: readonly string[], b: readonly string[], maxEdits: number): DiffLine[] {
  const n = a.length;
  const m = b.length;
  const replaceAll = (): DiffLine[] => [...a.map((text): DiffLine => ({ kind: 'remove', text })), ...b.map((text): DiffLine => ({ kind: 'add', text }))];
  if (n === 0 || m === 0) return replaceAll();

  // Lines as small integers: comparing numbers in the inner loop, not strings.
  const ids = new Map<string, number>();
  const idOf = (line: string) => {
    let id = ids.get(line);
    if (id === undefined) ids.set(line, (id = ids.size));
    return id;
  };
  const x0 = Int32Array.from(a, idOf);
  const y0 = Int32Array.from(b, idOf);

  const limit = Math.min(n + m, maxEdits);
  const offset = limit + 1;
  const v = new Int32Array(2 * limit + 3);
  /** v as it was before each step d, for walking back: only its live diagonals (−d..d). */
  const trace: Int32Array[] = [];
  let found = -1;
  outer: for (let d = 0; d <= limit; d++) {
    trace.push(v.slice(offset - d, offset + d + 1));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && x0[x] === y0[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break outer;
      }
    }
  }
  if (found === -1) return replaceAll();

  // Walk back from (n, m), one edit per step, collecting lines in reverse.
  const reversed: DiffLine[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d]!; // v before step d: diagonal k lives at prev[k + d]
    const at = (k: number) => prev[k + d]!;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      reversed.push({ kind: 'equal', text: a[--x]! });
      y--;
    }
    if (down) reversed.push({ kind: 'add', text: b[--y]! });
    else reversed.push({ kind: 'remove', text: a[--x]! });
  }
  // What is left at step 0 is the snake from (0, 0): equal lines only.
  while (x > 0) reversed.push({ kind: 'equal', text: a[--x]! });
  return removalsFirst(reversed.reverse());
}

/** Within each run of changed lines, puts the removed lines before the added ones. */
function removalsFirst(lines: DiffLine[]): DiffLine[] {
  const out: DiffLine[] = [];
  let removed: DiffLine[] = [];
  let added: DiffLine[] = [];
  const flush = () => {
    out.push(...removed, ...added);
    removed = [];
    added = [];
  };
  for (const line of lines) {
    if (line.kind === 'remove') removed.push(line);
    else if (line.kind === 'add') added.push(line);
    else {
      flush();
      out.push(line);
    }
  }
  flush();
  return out;
}

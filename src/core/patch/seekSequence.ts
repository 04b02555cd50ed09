// Finds a hunk's lines in a file the way Codex's seek_sequence does: models copy context with
// slightly different whitespace, so an exact match is tried first, then one ignoring trailing
// whitespace, then one ignoring whitespace at both ends. Each pass scans the whole remaining file
// before a looser one starts, so an exact match later in the file beats a loose one earlier.

export type MatchQuality = 'exact' | 'trailing-whitespace' | 'surrounding-whitespace';

const PASSES: readonly (readonly [MatchQuality, (line: string) => string])[] = [
  ['exact', (line) => line],
  ['trailing-whitespace', (line) => line.trimEnd()],
  ['surrounding-whitespace', (line) => line.trim()],
];

export interface SequenceMatch {
  /** Index of the file line the sequence starts at. */
  index: number;
  quality: MatchQuality;
}

export interface LineSearcher {
  /** First match of `pattern` at or after `start`. With `atEnd`, the match must end at the last
   *  line (the hunk said "*** End of File"). An empty pattern matches at `start`. */
  seek(pattern: readonly string[], start: number, atEnd?: boolean): SequenceMatch | null;
  /** For error messages: the index in `pattern` of the first line that breaks the match, i.e.
   *  the longest prefix of `pattern` found at or after `start` is pattern[0 .. result). */
  firstMissing(pattern: readonly string[], start: number): number;
}

/** Builds a searcher over a file's lines; normalised copies of the file are made once, lazily,
 *  and shared by every hunk of that file. */
export function createLineSearcher(lines: readonly string[]): LineSearcher {
  const normalised = new Map<MatchQuality, readonly string[]>();
  const fileAs = (quality: MatchQuality, normalise: (line: string) => string) => {
    let copy = normalised.get(quality);
    if (!copy) normalised.set(quality, (copy = quality === 'exact' ? lines : lines.map(normalise)));
    return copy;
  };

  const seek = (pattern: readonly string[], start: number, atEnd = false): SequenceMatch | null => {
    if (pattern.length === 0) return { index: start, quality: 'exact' };
    const last = lines.length - pattern.length;
    const first = atEnd ? last : start;
    if (last < start || first < start) return null;
    for (const [quality, normalise] of PASSES) {
      const file = fileAs(quality, normalise);
      const wanted = pattern.map(normalise);
      for (let i = first; i <= last; i++) {
        let j = 0;
        while (j < wanted.length && file[i + j] === wanted[j]) j++;
        if (j === wanted.length) return { index: i, quality };
      }
    }
    return null;
  };

  return {
    seek,
    firstMissing(pattern, start) {
      // Found prefixes shrink monotonically as they grow, so a binary search over the prefix
      // length keeps this cheap even for a hunk of thousands of lines.
      let found = 0;
      let missing = pattern.length;
      if (seek(pattern, start)) return pattern.length;
      while (missing - found > 1) {
        const mid = (found + missing) >> 1;
        if (seek(pattern.slice(0, mid), start)) found = mid;
        else missing = mid;
      }
      return found;
    },
  };
}

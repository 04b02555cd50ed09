// A small glob matcher for grep's file filter, compiled to a RegExp. Written here rather than
// taken from a library: the broker's worker bundle stays small, and the syntax is exactly the
// one the tool describes to the model.
//
//   *        any run of characters within one path segment
//   ?        one character within a segment
//   **       any number of whole segments ("src/**/*.ts", "**/test/*", "docs/**")
//   [abc] [a-z] [!abc] [^abc]   one character of (not of) a set, never "/"
//   {a,b,c}  any of the alternatives, which may themselves hold patterns and nest
//   \x       x literally

export class GlobSyntaxError extends Error {
  constructor(glob: string, problem: string) {
    super(`invalid glob "${glob}": ${problem}`);
    this.name = 'GlobSyntaxError';
  }
}

/** Characters a RegExp treats specially outside a class; '/' is not one of them. */
const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|-]/g;
const escapeRegex = (text: string) => text.replace(REGEX_SPECIAL, '\\$&');

/** Compiles a glob into an anchored RegExp over '/'-separated paths. */
export function compileGlob(glob: string): RegExp {
  let out = '';
  let braceDepth = 0;
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    switch (char) {
      case '\\': {
        const next = glob[i + 1];
        if (next === undefined) throw new GlobSyntaxError(glob, 'it ends with a lone "\\"');
        out += escapeRegex(next);
        i++;
        break;
      }
      case '*': {
        if (glob[i + 1] !== '*') {
          out += '[^/]*';
          break;
        }
        let end = i + 2;
        while (glob[end] === '*') end++;
        const startsSegment = i === 0 || glob[i - 1] === '/';
        const endsSegment = end === glob.length || glob[end] === '/';
        if (!startsSegment || !endsSegment) {
          out += '[^/]*'; // "a**b" is no globstar: it means what "a*b" does
        } else if (glob[end] === '/') {
          out += '(?:[^/]*/)*'; // "**/": zero or more leading segments
          end++;
        } else if (out.endsWith('/')) {
          out = `${out.slice(0, -1)}(?:/.*)?`; // "dir/**": the directory and all below it
        } else {
          out += '.*';
        }
        i = end - 1;
        break;
      }
      case '?':
        out += '[^/]';
        break;
      case '[': {
        const set = characterSet(glob, i);
        if (set === null) {
          out += '\\['; // no closing "]": a literal bracket, as in shells
          break;
        }
        out += set.regex;
        i = set.end;
        break;
      }
      case '{':
        braceDepth++;
        out += '(?:';
        break;
      case '}':
        if (braceDepth === 0) throw new GlobSyntaxError(glob, 'a "}" without its "{"');
        braceDepth--;
        out += ')';
        break;
      case ',':
        out += braceDepth > 0 ? '|' : ',';
        break;
      default:
        out += escapeRegex(char);
    }
  }
  if (braceDepth > 0) throw new GlobSyntaxError(glob, 'a "{" without its "}"');
  return new RegExp(`^${out}$`);
}

/** "[...]" starting at `start`: its RegExp class and the index of its "]", or null when unclosed. */
function characterSet(glob: string, start: number): { regex: string; end: number } | null {
  let i = start + 1;
  let negate = false;
  if (glob[i] === '!' || glob[i] === '^') {
    negate = true;
    i++;
  }
  let body = '';
  // A "]" right after the opening bracket is a member, not the end.
  for (let first = true; i < glob.length; i++, first = false) {
    const char = glob[i]!;
    if (char === ']' && !first) return { regex: `[${negate ? '^' : ''}${body}${negate ? '/' : ''}]`, end: i };
    if (char === '\\' && i + 1 < glob.length) {
      body += classMember(glob[++i]!);
    } else if (char === '-' && !first && glob[i + 1] !== ']') {
      body += '-'; // a range, between the members on either side
    } else {
      body += classMember(char);
    }
  }
  return null;
}

/** One literal character inside a RegExp class. */
function classMember(char: string): string {
  return /[\\\]^-]/.test(char) ? `\\${char}` : char;
}

/** Whether a glob names paths (it has a "/") or only file names, which then match at any depth. */
export function globHasPath(glob: string): boolean {
  return glob.includes('/');
}

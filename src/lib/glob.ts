// Linear-time glob matching: a pattern compiles once to tokens, and a match runs them as an NFA
// over the value, all states at once — at most O(|pattern|·|value|) steps, never backtracking.

/**
 * `path`: `*` within one `/`-separated segment, `**` across segments, `?` one character other
 * than `/`, and a wildcard never matches a whole `.` or `..` segment. `plain`: only `*`, matching
 * any run of characters, `/` included (caller identities, RPC names).
 */
export type GlobSyntax = 'path' | 'plain';

export interface GlobOptions {
  syntax?: GlobSyntax;
  /** Compare case-folded pattern and value (for names whose owners treat case as equal). */
  caseInsensitive?: boolean;
}

/** Counts the matcher's work, for tests that bound it. */
export interface GlobSteps {
  steps: number;
}

const LITERAL = 0;
const ONE = 1; // ?
const STAR = 2; // * in a path segment
const GLOBSTAR = 3; // ** across segments
const ANY_RUN = 4; // * of the plain syntax

interface Token {
  kind: number;
  char: string;
  /** The wildcard starts a pattern segment: it may not begin a `.` or `..` value segment. */
  guard: boolean;
}

export class Glob {
  readonly pattern: string;
  readonly #tokens: Token[];
  readonly #syntax: GlobSyntax;
  readonly #fold: boolean;

  private constructor(pattern: string, options: GlobOptions) {
    this.pattern = pattern;
    this.#syntax = options.syntax ?? 'path';
    this.#fold = options.caseInsensitive === true;
    this.#tokens = tokenize(this.#fold ? caseFold(pattern) : pattern, this.#syntax);
  }

  static compile(pattern: string, options: GlobOptions = {}): Glob {
    const key = `${options.syntax ?? 'path'}${options.caseInsensitive ? 'i' : 's'}${pattern}`;
    let glob = cache.get(key);
    if (!glob) {
      glob = new Glob(pattern, options);
      if (cache.size >= 10_000) cache.clear();
      cache.set(key, glob);
    }
    return glob;
  }

  matches(input: string, counter?: GlobSteps): boolean {
    // Code points, not UTF-16 units: `?` is one character, and no wildcard takes half a pair.
    const value = Array.from(this.#fold ? caseFold(input) : input);
    const tokens = this.#tokens;
    const n = tokens.length;
    const dot = this.#syntax === 'path' ? dotSegments(value) : undefined;
    // at[k]: about to match token k. inside[k]: within wildcard k, having taken ≥ 1 character.
    // crossed[k]: within ** k, just past a '/', so the next segment must not be `.` or `..`.
    let at = new Uint8Array(n + 1);
    let inside = new Uint8Array(n);
    let crossed = new Uint8Array(n);
    let nextAt = new Uint8Array(n + 1);
    let nextInside = new Uint8Array(n);
    let nextCrossed = new Uint8Array(n);
    let steps = 0;
    at[0] = 1;
    closure(tokens, at, inside, crossed, dot, 0);
    steps += n;
    for (let j = 0; j < value.length; j++) {
      const c = value[j]!;
      const blocked = dot !== undefined && dot[j] === 1;
      nextAt.fill(0);
      nextInside.fill(0);
      nextCrossed.fill(0);
      for (let k = 0; k < n; k++) {
        steps++;
        const t = tokens[k]!;
        if (at[k]) {
          if (t.kind === LITERAL) {
            if (c === t.char) nextAt[k + 1] = 1;
          } else if (t.kind === ANY_RUN) {
            nextInside[k] = 1;
          } else if (!(t.guard && blocked)) {
            if (t.kind === ONE) {
              if (c !== '/') nextAt[k + 1] = 1;
            } else if (c !== '/') nextInside[k] = 1;
            else if (t.kind === GLOBSTAR) nextCrossed[k] = 1;
          }
        }
        if (inside[k] || crossed[k]) {
          if (t.kind === ANY_RUN || c !== '/') nextInside[k] = 1;
          else if (t.kind === GLOBSTAR) nextCrossed[k] = 1;
        }
      }
      [at, nextAt] = [nextAt, at];
      [inside, nextInside] = [nextInside, inside];
      [crossed, nextCrossed] = [nextCrossed, crossed];
      steps += n;
      if (!closure(tokens, at, inside, crossed, dot, j + 1)) break;
    }
    if (counter) counter.steps += steps;
    return at[n] === 1;
  }
}

const cache = new Map<string, Glob>();

/** Full case folding, near enough: upper then lower, so ß, SS and ss compare equal. */
export function caseFold(s: string): string {
  return s.toUpperCase().toLowerCase();
}

function tokenize(text: string, syntax: GlobSyntax): Token[] {
  const tokens: Token[] = [];
  const pattern = Array.from(text);
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const guard = syntax === 'path' && (i === 0 || pattern[i - 1] === '/');
    if (syntax === 'plain') {
      // Runs of * are one wildcard: `**` means the same as `*` here.
      if (c === '*') {
        if (tokens.at(-1)?.kind !== ANY_RUN) tokens.push({ kind: ANY_RUN, char: c, guard: false });
      } else tokens.push({ kind: LITERAL, char: c, guard: false });
    } else if (c === '*' && pattern[i + 1] === '*') {
      tokens.push({ kind: GLOBSTAR, char: c, guard });
      i++;
    } else if (c === '*') tokens.push({ kind: STAR, char: c, guard });
    else if (c === '?') tokens.push({ kind: ONE, char: c, guard });
    else tokens.push({ kind: LITERAL, char: c, guard: false });
  }
  return tokens;
}

/**
 * Forward ε-moves at value position j: a wildcard may end here (or match nothing). A wildcard
 * that would begin a `.`/`..` segment is dead, as is a ** that just crossed into one.
 */
function closure(tokens: Token[], at: Uint8Array, inside: Uint8Array, crossed: Uint8Array, dot: Uint8Array | undefined, j: number): boolean {
  const blocked = dot !== undefined && dot[j] === 1;
  let alive = false;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (crossed[k] && blocked) crossed[k] = 0;
    if (t.kind !== LITERAL && t.kind !== ONE && ((at[k] && !(t.guard && blocked)) || inside[k] || crossed[k])) at[k + 1] = 1;
    alive ||= at[k] === 1 || inside[k] === 1 || crossed[k] === 1;
  }
  return alive || at[tokens.length] === 1;
}

/** dot[j] = 1 when a value segment starts at j and is exactly `.` or `..`. */
function dotSegments(value: readonly string[]): Uint8Array {
  const dot = new Uint8Array(value.length + 1);
  let start = 0;
  while (start <= value.length) {
    let end = value.indexOf('/', start);
    if (end < 0) end = value.length;
    const len = end - start;
    if ((len === 1 && value[start] === '.') || (len === 2 && value[start] === '.' && value[start + 1] === '.')) dot[start] = 1;
    start = end + 1;
  }
  return dot;
}

/** True when `value` matches `pattern` (path syntax unless options say otherwise). */
export function globMatch(pattern: string, value: string, options?: GlobOptions): boolean {
  return Glob.compile(pattern, options).matches(value);
}

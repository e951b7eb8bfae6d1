// Glob patterns of the policy file: `*` matches within one `/`-separated segment, `**` across
// segments, `?` one character other than `/`; everything else is literal.
// A wildcard never matches a whole `.` or `..` segment (no escaping a prefix); empty segments
// are refused earlier, in parseIntent, since `scheme://` needs one.
const cache = new Map<string, RegExp>();
/** Lookahead: what follows up to the next `/` (or the end) is not `.` or `..`. */
const NOT_DOT_SEGMENT = '(?!\\.{1,2}(?:/|$))';

export function globToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    // At the start of a segment, a wildcard may not produce a `.` or `..` segment.
    const guard = i === 0 || pattern[i - 1] === '/' ? NOT_DOT_SEGMENT : '';
    if (c === '*' && pattern[i + 1] === '*') {
      src += `${guard}[^/]*(?:/${NOT_DOT_SEGMENT}[^/]*)*`;
      i++;
    } else if (c === '*') src += `${guard}[^/]*`;
    else if (c === '?') src += `${guard}[^/]`;
    else src += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  re = new RegExp(`^${src}$`, 's');
  if (cache.size < 10_000) cache.set(pattern, re);
  return re;
}

export function globMatch(pattern: string, value: string): boolean {
  return globToRegExp(pattern).test(value);
}

export function anyGlob(patterns: readonly string[], value: string): boolean {
  return patterns.some((p) => globMatch(p, value));
}
